import type { Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

/**
 * What the post path reads per author. The spam rule (moderation/check.ts) looks at an author's
 * latest posts and the message badges count them, both by `(user_id, id)`: channel messages,
 * DM messages and feed comments gain that index (feed items have it since 0001), so neither
 * costs more as an author writes more. `gamification_score_counts` goes: leaderboards rank in
 * memory or in Redis sorted sets now (gamification/boards.ts), so nothing reads the histogram
 * and keeping it cost every award four writes. FROZEN once released.
 */
export const authorRecentIndexes: AddonMigration = {
  name: '0006_author_recent_ix',
  creates: [],
  drops: ['gamification_score_counts'],
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    const p = (table: string) => ctx.prefix + table;
    const index = (tbl: string, name: string, cols: string[]) => db.schema.createIndex(p(name)).on(p(tbl)).columns(cols).execute();
    await index('channel_messages', 'channel_messages__user_id_id_ix', ['user_id', 'id']);
    await index('dm_messages', 'dm_messages__user_id_id_ix', ['user_id', 'id']);
    await index('central_feed_comments', 'central_feed_comments__user_id_id_ix', ['user_id', 'id']);
    await db.schema.dropTable(p('gamification_score_counts')).execute();
  },
};
