import type { AppContext } from './context';
import { registerSnapshotJob } from './gamification';

/**
 * The worker role: durable jobs from the `jobs` table, and the host sync on its schedule.
 * Several workers may run; a pending sync is enqueued at most once (unique key).
 */
export function startWorker(ctx: AppContext): () => Promise<void> {
  ctx.queue.register('host.sync', async () => {
    const r = await ctx.hostSync.runOnce();
    if (r.enrolments || r.completions || r.bans) ctx.logger.info(r, 'host sync');
  });
  const schedule = () =>
    ctx.queue.enqueue('host', 'host.sync', {}, { uniqueKey: 'host.sync', maxAttempts: 1 }).catch((error: unknown) => {
      ctx.logger.error({ err: error }, 'could not schedule the host sync');
    });
  void schedule();
  if (ctx.config.features.leaderboard) {
    const snapshots = registerSnapshotJob(ctx.queue, ctx.services.gamification, ctx.clock, ctx.logger);
    snapshots().catch((error: unknown) => ctx.logger.error({ err: error }, 'could not schedule leaderboard snapshots'));
  }
  const timer = setInterval(() => void schedule(), ctx.config.host.sync_interval_seconds * 1000);
  timer.unref();
  ctx.queue.start(1000);
  return async () => {
    clearInterval(timer);
    await ctx.queue.stop();
  };
}
