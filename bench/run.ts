import { benchChatMessages } from './chat-messages';
import { benchFeedPosts } from './feed-posts';
import { benchMarkdownMentions } from './markdown-mentions';
import { benchRealtime } from './realtime';

/** `npm run bench`: every benchmark beside its baseline, one JSON object on stdout. */
const results = {
  machine: { node: process.version, cpus: (await import('node:os')).cpus().length },
  chat_messages_http: await benchChatMessages(),
  feed_posts_http: await benchFeedPosts(),
  realtime_delivery: await benchRealtime(),
  markdown_mentions: benchMarkdownMentions(),
};
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
process.exit(0);
