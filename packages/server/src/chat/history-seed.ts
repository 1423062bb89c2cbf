import type { Db } from '../platform/db/connect';

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
    // SQLite: one prepared statement run per row inside large transactions, several times
    // faster than building multi-row statements (the file is local, a round trip costs nothing).
    const insert = d.sqlite.prepare(
      'insert into channel_messages (channel_id, user_id, content, metadata, reply_to_id, nonce, moderation_state, created_at, updated_at) values (@channel_id, @user_id, @content, @metadata, @reply_to_id, @nonce, @moderation_state, @created_at, @updated_at)',
    );
    const batch = d.sqlite.transaction((from: number, to: number) => {
      for (let n = from; n < to; n++) insert.run(row(n));
    });
    while (done < opts.messages) {
      const to = Math.min(opts.messages, done + 100_000);
      batch(done, to);
      done = to;
      opts.onProgress?.(done);
    }
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
