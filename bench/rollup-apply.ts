import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import * as mine from '../packages/server/src/analytics/rollup';
import { connect } from '../packages/server/src/platform/db/connect';
import { migrateToLatest } from '../packages/server/src/platform/db/migrate';
import { inTransaction } from '../packages/server/src/platform/db/transaction';

/**
 * The rollups' write CPU per channel message, in process (#18): the same batches of chat
 * messages (skewed over 2,000 members, a few channels, from 1 January on) through applyBatch on
 * SQLite, arms interleaved batch by batch so the machine's load falls on all alike:
 * - `with_star_index`: this checkout, the 0017 partial index of the `*` rows in place;
 * - `without_star_index`: this checkout, that index dropped (what it costs);
 * - `base` (BENCH_AB_BASE=<other worktree>): that checkout's applyBatch, without the index.
 * Per message: CPU of applyBatch and its transaction, after 10 % of warm-up. What the HTTP
 * path and the outbox add is in bench/rollup-cost.ts (server processes; noisier).
 */
export async function benchRollupApply(opts: { batches?: number; perBatch?: number } = {}) {
  const batches = opts.batches ?? Number(process.env.BENCH_ROLLUP_BATCHES ?? 2000);
  const per = opts.perBatch ?? Number(process.env.BENCH_ROLLUP_PER_BATCH ?? 32);
  const code: Record<string, typeof mine> = { with_star_index: mine, without_star_index: mine };
  if (process.env.BENCH_AB_BASE)
    code.base = (await import(`${process.env.BENCH_AB_BASE}/packages/server/src/analytics/rollup.ts`)) as typeof mine;
  const dir = mkdtempSync(join(tmpdir(), 'bench-rollup-apply-'));
  const arms = new Map<string, { d: ReturnType<typeof connect>; cpu: number }>();
  try {
    for (const name of Object.keys(code)) {
      const d = connect(`sqlite://${join(dir, `${name}.sqlite`)}`);
      await migrateToLatest(d);
      const raw = d.sqlite!;
      const at = new Date().toISOString();
      raw
        .prepare(
          `insert into communities (id, owner_id, name, slug, description, visibility, status, settings, member_count, created_at, updated_at) values (1, 1, 'B', 'b', '', 'public', 'active', '{}', 2000, ?, ?)`,
        )
        .run(at, at);
      if (name !== 'with_star_index') raw.exec('drop index activity_counts__star_ix');
      arms.set(name, { d, cpu: 0 });
    }
    let seed = 1;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let t = Date.parse('2026-01-01T00:00:00Z');
    let counted = 0;
    for (let b = 0; b < batches; b++) {
      const acts = Array.from({ length: per }, () => ({
        kind: 'message' as const,
        userId: 1 + Math.floor(2000 * rnd() ** 3),
        communityId: 1,
        channelId: 1 + Math.floor(rnd() * 5),
        at: (t += 2000),
      }));
      const warm = b < batches / 10;
      if (!warm) counted += per;
      const names = [...arms.keys()];
      for (const name of b % 2 ? names.reverse() : names) {
        const { RollupBatch, applyBatch } = code[name]!;
        const batch = new RollupBatch();
        for (const a of acts) batch.add(a);
        const arm = arms.get(name)!;
        const c0 = process.cpuUsage();
        await inTransaction(arm.d.db, (trx) => applyBatch(trx, batch, new Date(t).toISOString(), 'sqlite'));
        const c = process.cpuUsage(c0);
        if (!warm) arm.cpu += c.user + c.system;
      }
    }
    const cpu = Object.fromEntries([...arms].map(([k, v]) => [k, Number((v.cpu / counted).toFixed(1))]));
    return {
      batches,
      per_batch: per,
      rollup_rows: (arms.get('with_star_index')!.d.sqlite!.prepare('select count(*) as n from activity_counts').get() as { n: number }).n,
      cpu_us_per_message: cpu,
      star_index_cost_us_per_message: Number((cpu.with_star_index! - cpu.without_star_index!).toFixed(1)),
      ...(cpu.base !== undefined ? { change_from_base_us_per_message: Number((cpu.with_star_index! - cpu.base).toFixed(1)) } : {}),
      load_average: loadavg().map((n) => Number(n.toFixed(2))),
    };
  } finally {
    for (const a of arms.values()) await a.d.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchRollupApply(), null, 2));
