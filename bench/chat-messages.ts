import { REALTIME_EVENTS, realtimeChannel } from '@communities/contract';
import Database from 'better-sqlite3';

import { jsonPoster } from './http-load';
import { benchCommunity, startServerProcess, subscribedSockets } from './server-process';

const SECRET = 'bench-app-secret';
const CREATED = Buffer.from(`{"event":"${REALTIME_EVENTS.messageCreated}"`);

/**
 * Channel messages per second through HTTP — auth, zod validation, rate limit, access engine,
 * nonce, transaction (message, channel and community rows) and a broadcast to subscribed
 * Pusher-protocol sockets — on SQLite, beside raw better-sqlite3 inserts of the same row.
 */
export async function benchChatMessages(
  opts: {
    messages?: number;
    warmup?: number;
    concurrency?: number;
    subscribers?: number;
    /** More server config (env form), e.g. a moderation word list. */
    env?: Record<string, string>;
    /** The i-th message's text; by default a short clean line with a little Markdown. */
    content?: (i: number) => string;
  } = {},
) {
  const messages = opts.messages ?? 10000;
  const warmup = opts.warmup ?? 3000;
  const concurrency = opts.concurrency ?? 32;
  const subscribers = opts.subscribers ?? 20;
  const s = await startServerProcess({
    COMMUNITIES__RATE_LIMITS__MESSAGES__MAX: '1000000',
    COMMUNITIES__RATE_LIMITS__MESSAGES__WINDOW_SECONDS: '1',
    COMMUNITIES__CHAT__APP_SECRET: SECRET,
    ...opts.env,
  });
  try {
    const { owner, authors, general, tokens } = await benchCommunity(s, 'Bench Chat');

    // Sockets subscribed to the channel, so every message is really broadcast.
    const { key, channel_prefix: prefix } = (await s.as(owner).system.features()).realtime;
    const channel = realtimeChannel.channel(prefix, general.id);
    let delivered = 0;
    const sockets = await subscribedSockets({
      url: s.url,
      key,
      secret: SECRET,
      channel,
      count: subscribers,
      prefix: CREATED,
      onFrame: () => void delivered++,
    });

    const load = jsonPoster({
      url: `${s.url}/api/communities/channels/${general.id}/messages`,
      tokens,
      concurrency,
      body: (i) => ({
        content: opts.content ? opts.content(i) : `Benchmark message number ${i} with a little **Markdown**.`,
        nonce: `bench-${i}-nonce`,
      }),
      expect: 201,
    });
    // A server runs warm: the warm-up, under the same load, lets V8 optimise the hot path
    // before the clock starts (the first few thousand requests run partly unoptimised code).
    const tw = performance.now();
    await load.run(0, warmup);
    const warmupSeconds = (performance.now() - tw) / 1000;
    const cpu0 = s.cpuSeconds();
    const workerCpu0 = s.workerCpuSeconds();
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    await load.run(warmup, warmup + messages);
    const httpSeconds = (performance.now() - t0) / 1000;
    const serverCpu = s.cpuSeconds() - cpu0;
    const workerCpu = s.workerCpuSeconds() - workerCpu0;
    const clientCpu = process.cpuUsage(client0);
    load.close();
    while (delivered < (warmup + messages) * subscribers && performance.now() - t0 < httpSeconds * 1000 + 5000)
      await new Promise((r) => setTimeout(r, 10));
    for (const ws of sockets) ws.terminate();

    // Baseline: the same row, straight into a WAL-mode SQLite file, one statement per insert.
    const raw = new Database(`${s.dir}/raw.sqlite`);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec(
      'create table messages (id integer primary key autoincrement, channel_id bigint not null, user_id bigint not null, content text not null, metadata text, reply_to_id bigint, nonce varchar(64), mention_everyone integer default 0, moderation_state varchar(16), created_at varchar(32), updated_at varchar(32), unique (user_id, nonce))',
    );
    raw.exec('create index m_channel on messages (channel_id, id)');
    const insert = raw.prepare(
      'insert into messages (channel_id, user_id, content, metadata, reply_to_id, nonce, mention_everyone, moderation_state, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?)',
    );
    const t1 = performance.now();
    for (let i = 0; i < messages; i++) {
      const now = new Date().toISOString();
      insert.run(
        general.id,
        authors[i % authors.length],
        `Benchmark message number ${i}`,
        '{"mentions":[]}',
        null,
        `n-${i}`,
        0,
        'visible',
        now,
        now,
      );
    }
    const rawSeconds = (performance.now() - t1) / 1000;
    raw.close();
    const http = messages / httpSeconds;
    const rawRate = messages / rawSeconds;
    return {
      messages,
      warmup_messages: warmup,
      // The same load on a cold server (the warm-up itself), for comparison.
      cold_http_messages_per_second: Math.round(warmup / warmupSeconds),
      concurrency,
      subscribers,
      deliveries: delivered,
      http_messages_per_second: Math.round(http),
      // What the server spent per message, whatever else the machine was doing: one core's
      // worth of this is the server's ceiling when the load generator has the other core.
      server_cpu_us_per_message: Math.round((serverCpu * 1e6) / messages),
      server_one_core_ceiling_per_second: Math.round(messages / serverCpu),
      // BENCH_SPLIT_WORKER=1: the worker process (outbox subscribers) apart from the API's.
      ...(workerCpu > 0 ? { worker_cpu_us_per_message: Math.round((workerCpu * 1e6) / messages) } : {}),
      // The load generator's share of the same 2 cores (HTTP client and the 20 sockets).
      load_generator_cpu_us_per_message: Math.round((clientCpu.user + clientCpu.system) / messages),
      raw_inserts_per_second: Math.round(rawRate),
      ratio_http_to_raw: Number((http / rawRate).toFixed(4)),
      target_messages_per_second: 2000,
    };
  } finally {
    await s.close();
  }
}
