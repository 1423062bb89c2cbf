import { readFileSync } from 'node:fs';

/**
 * The capacity model of docs/DEPLOY.md §8: from CPU µs per operation (as `npm run bench`
 * measures them) and stated activity rates, the cores each role needs for a school of a given
 * size at its busiest hour. `npx tsx bench/capacity.ts [bench-result.json]` prints the table;
 * with a result file (the JSON `npm run bench` prints) it uses that run's figures.
 */

export interface CostPerOperation {
  /** Server CPU per channel message posted through HTTP (whole pipeline, outbox subscribers included). */
  message_us: number;
  /** Server CPU per feed post. */
  feed_post_us: number;
  /** Server CPU per 50-message history page. */
  history_page_us: number;
  /** Gateway CPU per frame delivered to one socket. */
  delivery_us: number;
  /** Gateway memory per open connection, KB. */
  connection_kb: number;
}

/** What a school does in its busiest hour, per member (stated, not measured). */
export const ACTIVITY = {
  /** Members with the app open at the peak (Discord-like communities see 5–15 %). */
  online_share: 0.1,
  /** Messages a member posts in the peak hour, averaged over all members (not only online ones). */
  messages_per_member_hour: 0.5,
  feed_posts_per_member_hour: 0.02,
  /** History pages read per message posted (scrolling back, opening channels). */
  pages_per_message: 3,
  /** Online members who receive each message (its channel's watchers), as a share of those online, capped below. */
  watching_share: 0.2,
  max_watchers: 5_000,
  /** Headroom: run each role at most this busy. */
  target_utilisation: 0.6,
};

/**
 * When no result file is given: the figures of the README's bench table measured on the quiet
 * 2-core machine at the end of the 2026-12-02 round (server CPU): a channel message 288–331 µs,
 * a feed post 410 µs, a 50-message history page 325–565 µs flat out (taken as 450), a delivery
 * to one socket 8–10 µs in the fan-out run (taken as 9) and 6.4 KB of RSS per connection in the
 * 10,000-client big room.
 */
const DEFAULTS: CostPerOperation = {
  message_us: 320,
  feed_post_us: 410,
  history_page_us: 450,
  delivery_us: 9,
  connection_kb: 6.4,
};

function fromBench(path: string): CostPerOperation {
  const r = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>;
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  const room = (r.big_room ?? {}) as { rss_per_connection_kb?: number; quiet?: { server_cpu_us_per_delivery?: number } };
  return {
    message_us: num(r.chat_messages_http?.server_cpu_us_per_message, DEFAULTS.message_us),
    feed_post_us: num(r.feed_posts_http?.server_cpu_us_per_post, DEFAULTS.feed_post_us),
    history_page_us: num(r.history?.server_cpu_us_per_page, DEFAULTS.history_page_us),
    delivery_us: num(room.quiet?.server_cpu_us_per_delivery, DEFAULTS.delivery_us),
    connection_kb: num(room.rss_per_connection_kb, DEFAULTS.connection_kb),
  };
}

export function capacity(members: number, cost: CostPerOperation, a = ACTIVITY) {
  const online = members * a.online_share;
  const messagesPerSecond = (members * a.messages_per_member_hour) / 3600;
  const postsPerSecond = (members * a.feed_posts_per_member_hour) / 3600;
  const pagesPerSecond = messagesPerSecond * a.pages_per_message;
  const watchers = Math.min(a.max_watchers, online * a.watching_share);
  const deliveriesPerSecond = messagesPerSecond * watchers;
  const cores = (usPerSecond: number) => usPerSecond / 1e6 / a.target_utilisation;
  const api = cores(messagesPerSecond * cost.message_us + postsPerSecond * cost.feed_post_us + pagesPerSecond * cost.history_page_us);
  const gateway = cores(deliveriesPerSecond * cost.delivery_us);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    members,
    online: Math.round(online),
    messages_per_second: round(messagesPerSecond),
    deliveries_per_second: Math.round(deliveriesPerSecond),
    api_cores: round(api),
    gateway_cores: round(gateway),
    gateway_memory_mb: Math.round((online * cost.connection_kb) / 1024),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cost = process.argv[2] ? fromBench(process.argv[2]) : DEFAULTS;
  const rows = [10_000, 100_000, 1_000_000].map((m) => capacity(m, cost));
  process.stdout.write(`${JSON.stringify({ cost_per_operation: cost, activity: ACTIVITY, schools: rows }, null, 2)}\n`);
}
