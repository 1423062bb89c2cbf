import { loadavg } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { jsonPoster } from './http-load';
import { benchCommunity, startServerProcess } from './server-process';

/** Every action's daily cap lifted: every message earns, so the award path runs for each one. */
const NO_CAPS = {
  COMMUNITIES__GAMIFICATION__ANTI_FARMING__DAILY_CAPS__POST_MESSAGE: '1000000',
  COMMUNITIES__GAMIFICATION__ANTI_FARMING__DAILY_CAPS__REPLY_MESSAGE: '1000000',
};

/** Waits until the points subscriber's cursor has passed every event the outbox holds. */
async function drained(dir: string, timeoutMs = 120_000): Promise<boolean> {
  const db = new Database(join(dir, 'bench.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const top = (db.prepare('select max(id) as n from event_outbox').get() as { n: number | null }).n ?? 0;
      const at = db.prepare(`select last_id from event_cursors where subscriber = 'gamification.points'`).get() as
        { last_id: number } | undefined;
      if (!at || at.last_id >= top) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  } finally {
    db.close();
  }
}

/**
 * What the points subscriber costs the channel ingest: server CPU µs per message through HTTP,
 * counted until the subscriber has caught up with every message (its work runs after the
 * response), with gamification off, on with the default daily caps (most messages hit a full
 * cap, answered from memory), and on with the caps lifted (every message is an award), in the
 * same run. The off run is the baseline.
 */
export async function benchPointsIngest(opts: { messages?: number; warmup?: number; concurrency?: number } = {}) {
  const messages = opts.messages ?? 6000;
  const warmup = opts.warmup ?? 2000;
  const concurrency = opts.concurrency ?? 32;
  const variants: Array<[string, Record<string, string>]> = [
    ['gamification_off', { COMMUNITIES__FEATURES__GAMIFICATION: 'false' }],
    ['gamification_default_caps', {}],
    ['gamification_every_message_earns', NO_CAPS],
  ];
  const out: Record<string, unknown> = { messages, warmup, concurrency, loadavg_1m_start: loadavg()[0] };
  for (const [name, env] of variants) {
    const s = await startServerProcess({
      COMMUNITIES__RATE_LIMITS__MESSAGES__MAX: '1000000',
      COMMUNITIES__RATE_LIMITS__MESSAGES__WINDOW_SECONDS: '1',
      ...env,
    });
    try {
      const { general, tokens } = await benchCommunity(s, `Bench points ${name}`);
      const load = jsonPoster({
        url: `${s.url}/api/communities/channels/${general.id}/messages`,
        tokens,
        concurrency,
        body: (i) => ({ content: `Benchmark message number ${i} with a little **Markdown**.`, nonce: `pts-${i}-nonce` }),
        expect: 201,
      });
      await load.run(0, warmup);
      await drained(s.dir);
      const cpu0 = s.cpuSeconds();
      const t0 = performance.now();
      await load.run(warmup, warmup + messages);
      const httpSeconds = (performance.now() - t0) / 1000;
      const caughtUp = await drained(s.dir);
      const drainSeconds = (performance.now() - t0) / 1000;
      const cpu = s.cpuSeconds() - cpu0;
      load.close();
      const db = new Database(join(s.dir, 'bench.sqlite'), { readonly: true });
      const ledger = (db.prepare(`select count(*) as n from gamification_events`).get() as { n: number }).n;
      db.close();
      out[name] = {
        http_messages_per_second: Math.round(messages / httpSeconds),
        messages_per_second_until_points_caught_up: Math.round(messages / drainSeconds),
        server_cpu_us_per_message: Math.round((cpu * 1e6) / messages),
        points_caught_up: caughtUp,
        ledger_rows: ledger,
        loadavg_1m: loadavg()[0],
      };
    } finally {
      await s.close();
    }
  }
  const off = (out.gamification_off as { server_cpu_us_per_message: number }).server_cpu_us_per_message;
  for (const k of ['gamification_default_caps', 'gamification_every_message_earns']) {
    const v = out[k] as { server_cpu_us_per_message: number };
    out[`${k}_extra_cpu_us_per_message`] = v.server_cpu_us_per_message - off;
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchPointsIngest(), null, 2)}\n`);
  process.exit(0);
}
