import { jsonPoster } from './http-load';
import { benchCommunity, startServerProcess } from './server-process';

/** Waits until the server process has been idle (< 10 ms of CPU per 500 ms) twice in a row: its outbox drained. */
async function drained(cpu: () => number, limitMs = 120_000): Promise<void> {
  const t0 = performance.now();
  let quiet = 0;
  let last = cpu();
  while (quiet < 2 && performance.now() - t0 < limitMs) {
    await new Promise((r) => setTimeout(r, 500));
    const now = cpu();
    quiet = now - last < 0.01 ? quiet + 1 : 0;
    last = now;
  }
}

/** One arm: `messages` channel messages over HTTP; server CPU from the first to the drained outbox. */
async function arm(heatmap: boolean, messages: number, warmup: number, concurrency: number) {
  const s = await startServerProcess({
    COMMUNITIES__RATE_LIMITS__MESSAGES__MAX: '1000000',
    COMMUNITIES__RATE_LIMITS__MESSAGES__WINDOW_SECONDS: '1',
    COMMUNITIES__FEATURES__HEATMAP: heatmap ? 'true' : 'false',
  });
  try {
    const { authors, general, tokens } = await benchCommunity(s, `Rollup cost ${heatmap ? 'on' : 'off'}`);
    const load = jsonPoster({
      url: `${s.url}/api/communities/channels/${general.id}/messages`,
      tokens,
      concurrency,
      body: (i) => ({ content: `Rollup bench message ${i}`, nonce: `rollup-${i}-nonce` }),
      expect: 201,
    });
    await load.run(0, warmup);
    await drained(() => s.cpuSeconds());
    const cpu0 = s.cpuSeconds();
    const t0 = performance.now();
    await load.run(warmup, warmup + messages);
    const httpSeconds = (performance.now() - t0) / 1000;
    await drained(() => s.cpuSeconds());
    // The two idle probes (1 s) are in the window; subtract what an idle server spends in them.
    const idle0 = s.cpuSeconds();
    await new Promise((r) => setTimeout(r, 1000));
    const idlePerSecond = s.cpuSeconds() - idle0;
    const serverCpu = s.cpuSeconds() - cpu0 - idlePerSecond * 2;
    load.close();
    return {
      authors: authors.length,
      http_messages_per_second: Math.round(messages / httpSeconds),
      server_cpu_us_per_message: Math.round((serverCpu * 1e6) / messages),
    };
  } finally {
    await s.close();
  }
}

/**
 * What the activity rollups (#18) cost the chat ingest: server CPU per channel message, counted
 * until the outbox is drained (so the rollup subscriber's work after the requests is in it),
 * with `features.heatmap` on and off, alternating arms in one run (the machine's load drifts).
 * The baseline is the off arm; the figure is the difference.
 */
export async function benchRollupCost(opts: { messages?: number; warmup?: number; rounds?: number; concurrency?: number } = {}) {
  const messages = opts.messages ?? 5000;
  const warmup = opts.warmup ?? 2000;
  const rounds = opts.rounds ?? 2;
  const concurrency = opts.concurrency ?? 32;
  const on: number[] = [];
  const off: number[] = [];
  const rates: Record<string, number[]> = { on: [], off: [] };
  for (let r = 0; r < rounds; r++)
    for (const heat of r % 2 === 0 ? [true, false] : [false, true]) {
      const res = await arm(heat, messages, warmup, concurrency);
      (heat ? on : off).push(res.server_cpu_us_per_message);
      rates[heat ? 'on' : 'off']!.push(res.http_messages_per_second);
    }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const cpuOn = median(on);
  const cpuOff = median(off);
  return {
    messages,
    rounds,
    concurrency,
    server_cpu_us_per_message_heatmap_on: cpuOn,
    server_cpu_us_per_message_heatmap_off: cpuOff,
    rollup_cpu_us_per_message: cpuOn - cpuOff,
    ratio_on_to_off: Number((cpuOn / cpuOff).toFixed(3)),
    samples: { on, off, http_messages_per_second: rates },
    load_average: (await import('node:os')).loadavg().map((n) => Number(n.toFixed(2))),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = process.argv.indexOf('--messages');
  console.log(JSON.stringify(await benchRollupCost(n > 0 ? { messages: Number(process.argv[n + 1]) } : {}), null, 2));
}
