import { benchChatMessages } from './chat-messages';
import { benchFeedPosts } from './feed-posts';
import { benchHeatmap } from './heatmap';
import { benchHistory } from './history';
import { benchLeaderboard } from './leaderboard';
import { benchMarkdownMentions } from './markdown-mentions';
import { benchModerationIngest } from './moderation-ingest';
import { benchRealtime } from './realtime';
import { benchSearch } from './search';
import { benchSustainedIngest } from './sustained-ingest';
import { benchWordFilter } from './word-filter';

function flag(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : undefined;
}

/** `npm run bench`: every benchmark beside its baseline, one JSON object on stdout. */
const results = {
  machine: { node: process.version, cpus: (await import('node:os')).cpus().length },
  chat_messages_http: await benchChatMessages(),
  // `npm run bench -- --duration 600` for the ten-minute run.
  sustained_ingest: await benchSustainedIngest({ seconds: flag('--duration') }),
  feed_posts_http: await benchFeedPosts(),
  // 1 M messages by default; `-- --history-messages 10000000` for the depth.
  history: await benchHistory({ messages: flag('--history-messages') }),
  // Two-word search within a community at 1 M messages (`-- --search-messages N` to change).
  search: await benchSearch({ messages: flag('--search-messages') }),
  realtime_delivery: await benchRealtime(),
  word_filter: benchWordFilter(),
  moderation_ingest: await benchModerationIngest(),
  leaderboard: await benchLeaderboard(),
  heatmap_analytics: await benchHeatmap(),
  markdown_mentions: benchMarkdownMentions(),
};
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
process.exit(0);
