import type { benchRollupCost } from './rollup-cost';

// Same-run A/B of the rollup cost: BENCH_AB_BASE=<other worktree> (its bench/rollup-cost.ts) against this one, alternating.
const base = process.env.BENCH_AB_BASE!;
const mods = {
  base: (await import(`${base}/bench/rollup-cost.ts`)) as { benchRollupCost: typeof benchRollupCost },
  new: await import('./rollup-cost'),
};
const out: Record<string, unknown[]> = { base: [], new: [] };
for (let r = 0; r < Number(process.env.BENCH_AB_ROUNDS ?? 2); r++)
  for (const k of r % 2 === 0 ? (['base', 'new'] as const) : (['new', 'base'] as const)) {
    const res = await mods[k].benchRollupCost({ messages: 4000, warmup: 1500, rounds: 1 });
    out[k]!.push(res);
    console.error(k, JSON.stringify(res));
  }
console.log(JSON.stringify(out, null, 2));
