import type { Source } from './dialect';

/** The rows search reads, each with the columns its full-text index covers (migration 0013). */
export const SEARCH_SOURCES: readonly Source[] = [
  { table: 'channel_messages', columns: ['content'] },
  { table: 'dm_messages', columns: ['content'] },
  { table: 'central_feed_items', columns: ['title', 'content'] },
  { table: 'central_feed_comments', columns: ['content'] },
  { table: 'communities', columns: ['name', 'description'] },
];
