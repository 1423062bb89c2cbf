import type { AddonMigration } from '../columns';

import { initial } from './0001_initial';
import { hostSafeNames } from './0002_host_safe_names';
import { eventOutbox } from './0003_event_outbox';
import { moderation } from './0004_moderation';
import { gamification } from './0005_gamification';
import { authorRecentIndexes } from './0006_author_recent_ix';
import { activityRollups } from './0007_activity_rollups';
import { paidTiers } from './0009_paid_tiers';
import { adminTools } from './0008_admin_tools';
import { activityReadRollups } from './0010_activity_read_rollups';
import { tierSales } from './0011_tier_sales';
import { notifications } from './0012_notifications';
import { search } from './0013_search';
import { activityCountsLeanIndexes } from './0014_activity_counts_lean_ix';
import { searchIndexDeferred } from './0015_search_index_deferred';
import { gamificationFold } from './0016_gamification_fold';
import { activityCountsStarIndex } from './0017_activity_counts_star_ix';
import { gamificationLeanWrites } from './0018_gamification_lean_writes';

/**
 * Every migration, in the order they run (names sort the same way). To add one: create
 * `NNNN_what.ts` next to these with the next free number, append it here, run
 * `npm run db:types` and `npm run docs:api`, and extend the upgrade test's rows if it adds a
 * table. A released migration never changes.
 */
export const MIGRATIONS: readonly AddonMigration[] = [
  initial,
  hostSafeNames,
  eventOutbox,
  moderation,
  gamification,
  authorRecentIndexes,
  activityRollups,
  adminTools,
  paidTiers,
  activityReadRollups,
  tierSales,
  notifications,
  search,
  activityCountsLeanIndexes,
  searchIndexDeferred,
  gamificationFold,
  activityCountsStarIndex,
  gamificationLeanWrites,
];
