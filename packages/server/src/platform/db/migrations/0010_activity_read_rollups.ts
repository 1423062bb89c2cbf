import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

type T = CreateTableBuilder<string, string>;

const HEATMAP_KINDS = ['message', 'dm', 'post', 'comment', 'reaction', 'course_completion'];
const PAGE = 2000;

function decode(s: string): Map<number, number> {
  const out = new Map<number, number>();
  if (!s) return out;
  for (const part of s.split(',')) {
    const i = part.indexOf(':');
    out.set(Number(part.slice(0, i)), Number(part.slice(i + 1)));
  }
  return out;
}
const encode = (m: Map<number, number>) =>
  [...m.entries()]
    .filter(([, n]) => n !== 0)
    .sort((a, b) => a[0] - b[0])
    .map(([q, n]) => `${q}:${n}`)
    .join(',');
function cum(m: Map<number, number>): string {
  let out = '';
  let run = 0;
  for (let q = 0; q < 96; q++) {
    run += m.get(q) ?? 0;
    out += run.toString(36).padStart(6, '0');
  }
  return out;
}
const day = (date: string) => Date.parse(`${date}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const weekOf = (date: string) => iso(day(date) - ((new Date(day(date)).getUTCDay() + 6) % 7) * 86_400_000);

/**
 * Read-side rollups (#18), so a 365-day heatmap and an analytics page read a few hundred rows
 * already aggregated instead of re-decoding every member's quarters:
 * - `activity_counts.cum`: the 96 quarter counts as fixed-width running sums (two lookups give
 *   any local hour or local day of a UTC date, 30- and 45-minute offsets included), and rows of
 *   kind `*` summing the heatmap kinds per user, community and date (the calendars' and grids'
 *   default, one row per day);
 * - `member_activity_periods`: each member's activity per community and Monday week or month
 *   (the rollups learn from them who is active for the first time in a week or month);
 * - `member_activity_years`: each member's activity per community and UTC year as running sums
 *   per day (any range's contributions and distinct actives: two lookups per member);
 * - `channel_activity_counts`: messages per channel and UTC date in quarters (busiest channels
 *   without scanning the messages).
 * Existing rows are backfilled here. FROZEN once released.
 */
export const activityReadRollups: AddonMigration = {
  name: '0010_activity_read_rollups',
  creates: ['member_activity_periods', 'member_activity_years', 'channel_activity_counts'],
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    const p = (table: string) => ctx.prefix + table;
    const id = (t: T): T =>
      ctx.dialect === 'postgres'
        ? t.addColumn('id', 'bigserial', (c) => c.primaryKey())
        : ctx.dialect === 'mysql'
          ? t.addColumn('id', 'bigint', (c) => c.primaryKey().autoIncrement())
          : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
    const table = async (name: string, build: (t: T) => T) => {
      let t = build(db.schema.createTable(p(name)));
      if (ctx.dialect === 'mysql') t = t.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`);
      await t.execute();
    };
    const index = (tbl: string, name: string, cols: string[]) => db.schema.createIndex(p(name)).on(p(tbl)).columns(cols).execute();
    const counts = p('activity_counts');
    const now = new Date().toISOString();

    await db.schema
      .alterTable(counts)
      .addColumn('cum', 'varchar(576)', (c) => c.notNull().defaultTo(''))
      .execute();
    // Calendars and grids: a subject's `*` rows by date (user_id 0: the community's).
    await index('activity_counts', 'activity_counts__ukcd_ix', ['user_id', 'kind', 'community_id', 'date']);
    // Distinct actives and contributions on a few dates: a community's member rows of a kind by date.
    await index('activity_counts', 'activity_counts__ckdu_ix', ['community_id', 'kind', 'date', 'user_id']);

    await table('member_activity_periods', (t) =>
      id(t)
        .addColumn('community_id', 'bigint', (c) => c.notNull())
        .addColumn('period', 'varchar(8)', (c) => c.notNull())
        .addColumn('starts_on', 'varchar(10)', (c) => c.notNull())
        .addColumn('user_id', 'bigint', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint(p('member_activity_periods__cpsu_uq'), ['community_id', 'period', 'starts_on', 'user_id']),
    );
    await table('member_activity_years', (t) =>
      id(t)
        .addColumn('community_id', 'bigint', (c) => c.notNull())
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'bigint', (c) => c.notNull())
        .addColumn('cum', 'varchar(1830)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint(p('member_activity_years__cyu_uq'), ['community_id', 'year', 'user_id']),
    );
    await table('channel_activity_counts', (t) =>
      id(t)
        .addColumn('channel_id', 'bigint', (c) => c.notNull())
        .addColumn('community_id', 'bigint', (c) => c.notNull())
        .addColumn('date', 'varchar(10)', (c) => c.notNull())
        .addColumn('quarters', ctx.dialect === 'mysql' ? sql`mediumtext` : sql`text`, (c) => c.notNull())
        .addColumn('cum', 'varchar(576)', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint(p('channel_activity_counts__chd_uq'), ['channel_id', 'date']),
    );
    await index('channel_activity_counts', 'channel_activity_counts__cd_ix', ['community_id', 'date']);

    // Backfill: cum on every row, `*` rows, member periods.
    const star = new Map<string, Map<number, number>>();
    const periods = new Map<string, number>();
    const years = new Map<string, number[]>();
    for (let after = 0; ;) {
      const rows = (
        await sql<{ id: number; user_id: number; community_id: number; date: string; kind: string; quarters: string; total: number }>`
          select id, user_id, community_id, date, kind, quarters, total from ${sql.table(counts)}
          where id > ${after} order by id limit ${PAGE}`.execute(db)
      ).rows;
      if (rows.length === 0) break;
      after = Number(rows.at(-1)!.id);
      for (const r of rows) {
        const q = decode(r.quarters);
        await sql`update ${sql.table(counts)} set cum = ${cum(q)} where id = ${r.id}`.execute(db);
        if (!HEATMAP_KINDS.includes(r.kind)) continue;
        const key = `${Number(r.user_id)}|${Number(r.community_id)}|${r.date}`;
        let m = star.get(key);
        if (!m) star.set(key, (m = new Map<number, number>()));
        for (const [qq, n] of q) m.set(qq, (m.get(qq) ?? 0) + n);
        if (Number(r.user_id) > 0 && Number(r.community_id) > 0) {
          for (const k of [`week|${weekOf(r.date)}`, `month|${r.date.slice(0, 7)}-01`]) {
            const pk = `${Number(r.community_id)}|${k}|${Number(r.user_id)}`;
            periods.set(pk, (periods.get(pk) ?? 0) + Number(r.total));
          }
          const yk = `${Number(r.community_id)}|${r.date.slice(0, 4)}|${Number(r.user_id)}`;
          let days = years.get(yk);
          if (!days) years.set(yk, (days = new Array<number>(366).fill(0)));
          days[Math.round((day(r.date) - Date.UTC(Number(r.date.slice(0, 4)), 0, 1)) / 86_400_000)]! += Number(r.total);
        }
      }
    }
    const starRows = [...star].map(([k, m]) => {
      const [u, c, date] = k.split('|');
      const total = [...m.values()].reduce((s, n) => s + n, 0);
      return {
        user_id: Number(u),
        community_id: Number(c),
        date: date!,
        kind: '*',
        quarters: encode(m),
        cum: cum(m),
        total,
        updated_at: now,
      };
    });
    for (let i = 0; i < starRows.length; i += 200)
      await db
        .insertInto(counts as never)
        .values(starRows.slice(i, i + 200))
        .execute();
    const periodRows = [...periods].map(([k, total]) => {
      const [c, period, starts, u] = k.split('|');
      return { community_id: Number(c), period: period!, starts_on: starts!, user_id: Number(u), total, updated_at: now };
    });
    for (let i = 0; i < periodRows.length; i += 200)
      await db
        .insertInto(p('member_activity_periods') as never)
        .values(periodRows.slice(i, i + 200))
        .execute();

    const yearRows = [...years].map(([k, days]) => {
      const [c, year, u] = k.split('|');
      let run = 0;
      const cum = days.map((n) => (run += n).toString(36).padStart(5, '0')).join('');
      return { community_id: Number(c), year: Number(year), user_id: Number(u), cum, updated_at: now };
    });
    for (let i = 0; i < yearRows.length; i += 200)
      await db
        .insertInto(p('member_activity_years') as never)
        .values(yearRows.slice(i, i + 200))
        .execute();

    // Channels, from the messages.
    const channels = new Map<string, { community: number; q: Map<number, number> }>();
    for (let after = 0; ;) {
      const rows = (
        await sql<{ id: number; channel_id: number; community_id: number; created_at: string }>`
          select m.id, m.channel_id, c.community_id, m.created_at from ${sql.table(p('channel_messages'))} m
          join ${sql.table(p('channels'))} c on c.id = m.channel_id
          where m.id > ${after} order by m.id limit ${PAGE}`.execute(db)
      ).rows;
      if (rows.length === 0) break;
      after = Number(rows.at(-1)!.id);
      for (const r of rows) {
        const ms = Date.parse(r.created_at);
        const key = `${Number(r.channel_id)}|${iso(ms)}`;
        let e = channels.get(key);
        if (!e) channels.set(key, (e = { community: Number(r.community_id), q: new Map() }));
        const qq = Math.floor((ms % 86_400_000) / 900_000);
        e.q.set(qq, (e.q.get(qq) ?? 0) + 1);
      }
    }
    const channelRows = [...channels].map(([k, e]) => {
      const [ch, date] = k.split('|');
      const total = [...e.q.values()].reduce((s, n) => s + n, 0);
      return {
        channel_id: Number(ch),
        community_id: e.community,
        date: date!,
        quarters: encode(e.q),
        cum: cum(e.q),
        total,
        updated_at: now,
      };
    });
    for (let i = 0; i < channelRows.length; i += 200)
      await db
        .insertInto(p('channel_activity_counts') as never)
        .values(channelRows.slice(i, i + 200))
        .execute();
  },
};
