import { registerDailyJob } from './analytics';
import type { AppContext } from './context';
import { registerSnapshotJob } from './gamification';
import { EXPIRE_JOB } from './moderation';

/** How often the worker looks for mutes and bans whose time is up. */
const EXPIRE_EVERY_MS = 30_000;

/**
 * The worker role: durable jobs from the `jobs` table, and the host sync on its schedule.
 * Several workers may run; a pending sync is enqueued at most once (unique key).
 */
export function startWorker(ctx: AppContext): () => Promise<void> {
  ctx.queue.register('host.sync', async () => {
    const r = await ctx.hostSync.runOnce();
    const paid = r.paid && Object.values(r.paid).some((n) => n > 0);
    if (r.enrolments || r.completions || r.bans || paid) ctx.logger.info(r, 'host sync');
  });
  const schedule = () =>
    ctx.queue.enqueue('host', 'host.sync', {}, { uniqueKey: 'host.sync', maxAttempts: 1 }).catch((error: unknown) => {
      ctx.logger.error({ err: error }, 'could not schedule the host sync');
    });
  void schedule();
  // Points a stopped process left unfolded into the week and month rows (gamification/fold.ts): folded now, in the background.
  if (ctx.config.features.gamification) ctx.services.gamification.folder.schedule();
  if (ctx.config.features.leaderboard) {
    const snapshots = registerSnapshotJob(ctx.queue, ctx.services.gamification, ctx.clock, ctx.logger);
    snapshots().catch((error: unknown) => ctx.logger.error({ err: error }, 'could not schedule leaderboard snapshots'));
  }
  if (ctx.config.features.heatmap) {
    const daily = registerDailyJob(ctx.queue, ctx.db, ctx.clock, ctx.logger);
    daily().catch((error: unknown) => ctx.logger.error({ err: error }, 'could not run the daily activity rollup'));
  }
  const timer = setInterval(() => void schedule(), ctx.config.host.sync_interval_seconds * 1000);
  timer.unref();
  // The expiry job itself is registered by moderation/; the worker only schedules it.
  const expire = () =>
    ctx.queue.enqueue('moderation', EXPIRE_JOB, {}, { uniqueKey: EXPIRE_JOB, maxAttempts: 1 }).catch((error: unknown) => {
      ctx.logger.error({ err: error }, 'could not schedule the sanction expiry');
    });
  void expire();
  const expireTimer = setInterval(() => void expire(), EXPIRE_EVERY_MS);
  expireTimer.unref();
  ctx.queue.start(1000);
  return async () => {
    clearInterval(timer);
    clearInterval(expireTimer);
    await ctx.queue.stop();
  };
}
