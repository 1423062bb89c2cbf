import { benchBigRoom } from './big-room';
import { benchChatMessages } from './chat-messages';
import { benchFeedPosts } from './feed-posts';
import { benchHeatmap } from './heatmap';
import { benchHistory } from './history';
import { benchLeaderboard } from './leaderboard';
import { benchMarkdownMentions } from './markdown-mentions';
import { benchModerationIngest } from './moderation-ingest';
import { benchPointsIngest } from './points-ingest';
import { benchNotificationsFanout } from './notifications-fanout';
import { benchRealtime } from './realtime';
import { benchRollupApply } from './rollup-apply';
import { benchRollupCost } from './rollup-cost';
import { benchSearch } from './search';
import { machineCpu, stealShare } from './server-process';
import { benchSustainedIngest } from './sustained-ingest';
import { benchWordFilter } from './word-filter';

function flag(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : undefined;
}
const text = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};

/** `npm run bench`: every benchmark beside its baseline, one JSON object on stdout. */
const cpu0 = machineCpu();
// The share of CPU time the hypervisor gave other tenants during the whole run (each latency row
// has its own): on a shared host it comes as stalls of 10–100 ms that move every p99.
const machine = { node: process.version, cpus: (await import('node:os')).cpus().length, cpu_steal_share: 0 };
const results = {
  machine,
  chat_messages_http: await benchChatMessages(),
  // `npm run bench -- --duration 600` for the ten-minute run.
  sustained_ingest: await benchSustainedIngest({ seconds: flag('--duration') }),
  feed_posts_http: await benchFeedPosts(),
  // 1 M messages by default; `-- --history-messages 10000000` for the depth.
  history: await benchHistory({ messages: flag('--history-messages') }),
  // Two-word search within a community at 1 M messages (`-- --search-messages N` to change;
  // `-- --search-dir DIR` seeds DIR once and reuses it on later runs).
  search: await benchSearch({ messages: flag('--search-messages'), keepDir: text('--search-dir') }),
  realtime_delivery: await benchRealtime(),
  // 1,000 clients × 100 persisted messages a second, POST → receipt, beside raw ws at the same rate.
  fan_out: await benchBigRoom({ clients: 1000, rate: 100, seconds: 10, storm: 0, slow: 0 }),
  // 10,000 clients in one channel: RSS per connection, delivery p99, a 1,000-join presence storm,
  // 50 clients that never read (cut past chat.max_socket_buffer_bytes, memory bounded).
  big_room: await benchBigRoom({ clients: 10_000, rate: 4, seconds: 15, storm: 1000, slow: 50 }),
  word_filter: benchWordFilter(),
  moderation_ingest: await benchModerationIngest(),
  leaderboard: await benchLeaderboard(),
  points_ingest: await benchPointsIngest(),
  heatmap_analytics: await benchHeatmap(),
  // What the activity rollups cost the chat ingest: server CPU per message, heatmap on vs off.
  rollup_cost: await benchRollupCost(),
  // The rollups' write CPU per message in process, with and without the 0017 index of the `*` rows.
  rollup_apply: await benchRollupApply(),
  markdown_mentions: benchMarkdownMentions(),
  notifications_fanout: await benchNotificationsFanout(),
};
machine.cpu_steal_share = stealShare(cpu0);
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
process.exit(0);
