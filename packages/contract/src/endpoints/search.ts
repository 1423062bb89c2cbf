import { z } from 'zod';

import { endpoint, isoTime, page } from '../endpoint';

import { userSummarySchema } from './communities';

const idNum = z.coerce.number().int().positive();
const when = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/, 'an ISO-8601 date or UTC time')
  .describe('ISO-8601 date (YYYY-MM-DD, UTC) or UTC timestamp');

export const SEARCH_TYPES = ['message', 'post', 'member', 'community'] as const;
export const SEARCH_RESULT_KINDS = ['message', 'dm', 'post', 'comment', 'member', 'community'] as const;
/** Results a search can page through (relevance ranks a bounded candidate set). */
export const SEARCH_MAX_RESULTS = 200;

export const searchQuerySchema = z
  .object({
    q: z.string().trim().min(2).max(200).describe('words to find (all of them); 2–200 characters'),
    community_id: idNum.optional().describe('only this community (leaves out direct messages)'),
    channel_id: idNum.optional().describe('only this channel (messages)'),
    from_user: idNum.optional().describe('only what this user wrote'),
    has: z.enum(['file', 'link']).optional().describe('only messages and posts with an attachment, or with a link'),
    before: when.optional().describe('only what was written before this time'),
    after: when.optional().describe('only what was written at or after this time'),
    type: z.enum(SEARCH_TYPES).optional().describe('message: channel and direct messages; post: feed posts and comments'),
    cursor: z.string().max(200).optional().describe('opaque cursor from next_cursor'),
    limit: z.coerce.number().int().min(1).max(50).default(20),
  })
  .strict();

/** [start, end) offsets, in UTF-16 code units, of a matched word in `text`. */
export const highlightSchema = z.tuple([z.number().int(), z.number().int()]);

export const searchResultSchema = z.object({
  kind: z.enum(SEARCH_RESULT_KINDS),
  /** The message's, post's, comment's, user's or community's id. */
  id: z.number().int(),
  community: z.object({ id: z.number().int(), slug: z.string(), name: z.string() }).nullable(),
  /** Channel messages: the channel to open (then history `around` the id). */
  channel: z.object({ id: z.number().int(), slug: z.string(), name: z.string() }).nullable(),
  /** Direct messages: the thread. */
  thread_id: z.number().int().nullable(),
  /** Comments: the post they are on. */
  post_id: z.number().int().nullable(),
  author: userSummarySchema.nullable(),
  /** Plain text (Markdown stripped), an excerpt around the first match; never HTML. */
  text: z.string(),
  /** Matched words in `text`; render them marked, the rest as plain text. */
  highlights: z.array(highlightSchema),
  created_at: isoTime.nullable(),
});
export type SearchResult = z.infer<typeof searchResultSchema>;

export const search = {
  search: endpoint({
    method: 'GET',
    path: '/api/communities/search',
    summary:
      'Full-text search over messages, direct messages, posts, comments, members and communities the caller can see; by relevance, then newest (created_at; at equal times the higher id first); pages through at most 200 results',
    tag: 'search',
    query: searchQuerySchema,
    response: page(searchResultSchema),
    errors: ['not_found', 'validation_failed', 'rate_limited'],
  }),
};
