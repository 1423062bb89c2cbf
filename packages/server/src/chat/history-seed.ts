import type BetterSqlite3 from 'better-sqlite3';

import type { Db } from '../platform/db/connect';
import { SearchIndexStatements } from '../search/indexer';

export interface HistorySeed {
  channelId: number;
  messages: number;
  /** Members who post, in turn. */
  authorIds: number[];
  /** The seeded history spans this many days up to `now`, oldest first. */
  days?: number;
  now?: Date;
  /** Server databases: rows per INSERT statement and statements per transaction. */
  rowsPerStatement?: number;
  statementsPerTransaction?: number;
  onProgress?: (done: number) => void;
  /**
   * `varied`: each message is 6–15 words drawn from a 5,000-word vocabulary with a Zipf-like
   * spread (a few words in most messages, most words rare), as real chat is, so search has
   * something to rank. `fixed` (default): one sentence with the message's number.
   */
  text?: 'fixed' | 'varied';
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'po', 'da', 'fe', 'gu', 'ha', 'ji', 'bo'];
/** Word `rank` of the seeded vocabulary: 2 to 4 syllables, distinct for every rank below 16^4. */
export function seedWord(rank: number): string {
  let w = '';
  let n = rank;
  do {
    w += SYLLABLES[n % 16];
    n = Math.floor(n / 16);
  } while (n > 0);
  return w.length < 4 ? `${w}ra` : w;
}
export const SEED_VOCABULARY = 5000;
/** A Zipf-like rank (P(rank) ∝ 1 / rank) from a uniform number in [0, 1). */
export const zipfRank = (u: number) => Math.min(SEED_VOCABULARY - 1, Math.floor(Math.exp(u * Math.log(SEED_VOCABULARY))) - 1);
/** Deterministic uniform numbers from a seed (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function variedText(n: number): string {
  const r = random(n + 1);
  const words = 6 + Math.floor(r() * 10);
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(seedWord(zipfRank(r())));
  return `${out.join(' ')}.`;
}

/**
 * Fills a channel with history for benchmarks (`communities bench:seed`): direct multi-row
 * inserts, many to a transaction, skipping the post pipeline (no outbox events, rollups or
 * points). The channel's last message moves forward to the newest seeded row.
 */
export async function seedHistory(
  d: Db,
  opts: HistorySeed,
): Promise<{ messages: number; seconds: number; firstId: number; lastId: number }> {
  if (!opts.authorIds.length) throw new Error('seedHistory needs at least one author');
  const perStatement = opts.rowsPerStatement ?? 1000;
  const perTransaction = opts.statementsPerTransaction ?? 10;
  const now = (opts.now ?? new Date()).getTime();
  const span = (opts.days ?? 365) * 86_400_000;
  const started = performance.now();
  const channel = await d.db.selectFrom('channels').select(['id']).where('id', '=', opts.channelId).executeTakeFirst();
  if (!channel) throw new Error(`No channel ${opts.channelId}`);
  const before = await d.db
    .selectFrom('channel_messages')
    .select((eb) => eb.fn.max('id').as('max'))
    .executeTakeFirst();
  let done = 0;
  const row = (n: number) => {
    const at = new Date(now - span + Math.floor((span * n) / opts.messages)).toISOString();
    return {
      channel_id: opts.channelId,
      user_id: opts.authorIds[n % opts.authorIds.length]!,
      content: opts.text === 'varied' ? variedText(n) : `Seeded history message ${n}: what did everyone make of this week's lesson?`,
      metadata: '{"mentions":[],"mention_roles":[]}',
      reply_to_id: null,
      nonce: null,
      moderation_state: 'visible',
      created_at: at,
      updated_at: at,
    };
  };
  if (d.sqlite && !d.prefix) {
    done = sqliteBulkLoad(d.sqlite, Number(before?.max ?? 0) + 1, opts.messages, row, opts.onProgress);
  }
  while (done < opts.messages) {
    await d.db.transaction().execute(async (trx) => {
      for (let s = 0; s < perTransaction && done < opts.messages; s++) {
        const rows = [];
        for (let r = 0; r < perStatement && done < opts.messages; r++, done++) rows.push(row(done));
        await trx.insertInto('channel_messages').values(rows).execute();
      }
    });
    opts.onProgress?.(done);
  }
  const after = await d.db
    .selectFrom('channel_messages')
    .select((eb) => eb.fn.max('id').as('max'))
    .where('channel_id', '=', opts.channelId)
    .executeTakeFirstOrThrow();
  const lastId = Number(after.max);
  if (d.sqlite) {
    // Migration 0015's search index: the new rows in one pass, as the server's indexer would in many.
    const sqlite = d.sqlite;
    const index = new SearchIndexStatements(sqlite, d.prefix, Number.MAX_SAFE_INTEGER);
    sqlite.transaction(() => index.pass())();
  }
  await d.db
    .updateTable('channels')
    .set({ last_message_id: lastId })
    .where('id', '=', opts.channelId)
    .where((eb) => eb.or([eb('last_message_id', 'is', null), eb('last_message_id', '<', lastId)]))
    .execute();
  return {
    messages: done,
    seconds: (performance.now() - started) / 1000,
    firstId: Number(before?.max ?? 0) + 1,
    lastId,
  };
}

type SeedRow = {
  channel_id: number;
  user_id: number;
  content: string;
  metadata: string;
  reply_to_id: null;
  nonce: null;
  moderation_state: string;
  created_at: string;
  updated_at: string;
};

/**
 * SQLite bulk load, for a server that is not running (the bench stops it first): the channel
 * messages' secondary indexes and any insert trigger are dropped for the load and rebuilt after
 * it, each in one pass over the new rows (a sort, not ten million random B-tree inserts: 63 → 8
 * µs of CPU a row at 300,000 rows); the rows go in through one prepared statement with positional
 * parameters, 100,000 to a transaction, with `synchronous = OFF` for the load only (a crash
 * mid-seed loses a bench's seed, nothing else). What an insert trigger would have written is
 * written by its own statement over the new ids (the search index has had no insert trigger since
 * migration 0015: `seedHistory` indexes the new rows after the load). The dropped definitions are
 * re-created from `sqlite_master`'s own text in a `finally`, so a failed load leaves the schema
 * as it found it (only SIGKILL mid-load leaves them dropped; re-run the seed or restore the file).
 */
function sqliteBulkLoad(
  handle: BetterSqlite3.Database,
  firstId: number,
  messages: number,
  row: (n: number) => SeedRow,
  onProgress?: (done: number) => void,
): number {
  const dropped = handle
    .prepare<[], { type: 'index' | 'trigger'; name: string; sql: string }>(
      `select type, name, sql from sqlite_master where tbl_name = 'channel_messages' and sql is not null
       and (type = 'index' or (type = 'trigger' and sql like '%after insert on%'))`,
    )
    .all();
  const triggers = dropped.filter((o) => o.type === 'trigger');
  // What each insert trigger does for a row, run once over every new row instead.
  const fill = triggers.map((t) => {
    const body = /\bbegin\s+([\s\S]*?);?\s*end\s*$/i.exec(t.sql)?.[1];
    const m = body ? /^insert into\s+([^\s(]+)\s*(\([^)]*\))\s*values\s*\(([\s\S]*)\)$/i.exec(body.trim()) : null;
    if (!m) throw new Error(`bench:seed cannot bulk-fill for trigger ${t.name}: ${t.sql}`);
    const [, target, cols, values] = m;
    return `insert into ${target}${cols} select ${values!.replace(/"new"\.|\bnew\./g, '')} from "channel_messages" where id >= ?`;
  });
  const synchronous = handle.pragma('synchronous', { simple: true }) as number;
  handle.pragma('synchronous = OFF');
  let done = 0;
  const restore = handle.transaction(() => {
    for (const f of fill) handle.prepare(f).run(firstId);
    for (const o of dropped) handle.exec(o.sql);
  });
  handle.transaction(() => {
    for (const o of dropped) handle.exec(`drop ${o.type} "${o.name.replace(/"/g, '""')}"`);
  })();
  try {
    const insert = handle.prepare(
      'insert into channel_messages (channel_id, user_id, content, metadata, reply_to_id, nonce, moderation_state, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const batch = handle.transaction((from: number, to: number) => {
      for (let n = from; n < to; n++) {
        const r = row(n);
        insert.run(r.channel_id, r.user_id, r.content, r.metadata, r.reply_to_id, r.nonce, r.moderation_state, r.created_at, r.updated_at);
      }
    });
    while (done < messages) {
      const to = Math.min(messages, done + 100_000);
      batch(done, to);
      done = to;
      onProgress?.(done);
    }
  } finally {
    restore();
    handle.pragma(`synchronous = ${synchronous}`);
  }
  return done;
}
