import type { CommunitiesConfig } from '@communities/contract';

import type { FactsLoader } from '../communities/facts';
import type { HostPorts } from '../host/ports';
import type { EventBus } from '../platform/bus';
import type { Clock } from '../platform/clock';
import type { Db } from '../platform/db/connect';
import type { Logger } from '../platform/logger';
import type { Queue } from '../platform/queue';

import { rollupDay } from './daily';
import { AnalyticsService } from './service';
import { subscribeRollups } from './subscriber';
import { addDays, utcDate } from './tz';

export { rebuildStats } from './rebuild';
export { rollupDay } from './daily';
export { AnalyticsService } from './service';

export const DAILY_JOB = 'analytics.daily';
/** activity_seen rows older than this are pruned by the daily job (well past the outbox's retention). */
const SEEN_RETENTION_DAYS = 30;

export interface AnalyticsContext {
  config: CommunitiesConfig;
  clock: Clock;
  db: Db;
  host: HostPorts;
  bus: EventBus;
}

/** The rollup subscriber (when the heatmap feature is on) and the read service. */
export function createAnalytics(ctx: AnalyticsContext, facts: FactsLoader): AnalyticsService {
  const now = () => ctx.clock.now();
  if (ctx.config.features.heatmap) subscribeRollups(ctx.bus, ctx.db.dialect, now);
  return new AnalyticsService({
    db: ctx.db.db,
    dialect: ctx.db.dialect,
    facts,
    host: ctx.host,
    now,
    showByDefault: ctx.config.heatmap.show_activity_by_default,
  });
}

/**
 * The daily job: shortly after each UTC midnight, rolls up the day that ended (and re-does the
 * one before, for events that arrived late), then schedules itself for the next midnight.
 */
export function registerDailyJob(queue: Queue, db: Db, clock: Clock, logger: Logger): () => Promise<void> {
  const schedule = async () => {
    const today = utcDate(clock.now().getTime());
    const at = new Date(`${addDays(today, 1)}T00:05:00.000Z`);
    await queue.enqueue('analytics', DAILY_JOB, {}, { runAt: at, uniqueKey: `${DAILY_JOB}:${at.toISOString()}` });
  };
  const run = async () => {
    const today = utcDate(clock.now().getTime());
    const stamp = clock.now().toISOString();
    for (const d of [addDays(today, -2), addDays(today, -1), today]) await rollupDay(db.db, d, stamp);
    await db.db
      .deleteFrom('activity_seen')
      .where('seen_at', '<', new Date(clock.now().getTime() - SEEN_RETENTION_DAYS * 86_400_000).toISOString())
      .execute();
    logger.info({ date: addDays(today, -1) }, 'activity rollups: daily aggregates written');
  };
  queue.register(DAILY_JOB, async () => {
    await run();
    await schedule();
  });
  return async () => {
    await run();
    await schedule();
  };
}
