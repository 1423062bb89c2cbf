import type { CommunitiesConfig } from '@communities/contract';

import type { FactsLoader } from '../communities/facts';
import type { HostPorts } from '../host/ports';
import type { EventBus } from '../platform/bus';
import type { Clock } from '../platform/clock';
import type { Db } from '../platform/db/connect';
import type { Logger } from '../platform/logger';
import type { Queue } from '../platform/queue';
import type { Broadcaster } from '../realtime/broadcaster';

import { Badges } from './badges';
import { Ledger } from './ledger';
import { SqlScores } from './scores';
import { GamificationService } from './service';
import { GamificationSettings } from './settings';
import { PointsSubscriber } from './subscriber';

/** The collaborators gamification uses; context.ts satisfies it. */
export interface GamificationContext {
  config: CommunitiesConfig;
  logger: Logger;
  clock: Clock;
  db: Db;
  host: HostPorts;
  bus: EventBus;
  broadcaster: Broadcaster;
}

export interface Gamification {
  service: GamificationService;
  ledger: Ledger;
  scores: SqlScores;
  settings: GamificationSettings;
}

export const SNAPSHOT_JOB = 'leaderboard.snapshot';

export function createGamification(ctx: GamificationContext, facts: FactsLoader): Gamification {
  const now = () => ctx.clock.now();
  const g = ctx.config.gamification;
  const settings = new GamificationSettings(ctx.db.db, ctx.db.dialect, g, now);
  const scores = new SqlScores(ctx.db.db, ctx.db.dialect);
  const ledger = new Ledger(ctx.db.db, ctx.db.dialect, scores, settings, g.timezone, now);
  const service = new GamificationService(
    { db: ctx.db.db, dialect: ctx.db.dialect, bus: ctx.bus, host: ctx.host, config: g, now },
    facts,
    scores,
    settings,
  );
  // Points are earned whenever gamification is on, whether or not leaderboards are shown.
  if (ctx.config.features.gamification)
    new PointsSubscriber({
      db: ctx.db.db,
      dialect: ctx.db.dialect,
      ledger,
      badges: new Badges(ctx.db.db, ctx.db.dialect, now),
      settings,
      timeZone: g.timezone,
      logger: ctx.logger,
      host: ctx.host,
      notifyHost: g.notify_host_on_level_up,
      channelPrefix: ctx.config.chat.broadcast_channel_prefix,
      broadcaster: () => ctx.broadcaster,
    }).register(ctx.bus);
  return { service, ledger, scores, settings };
}

/** The snapshot job: writes closed periods' snapshots, then schedules itself for the next boundary. */
export function registerSnapshotJob(queue: Queue, gamification: Gamification, clock: Clock, logger: Logger): () => Promise<void> {
  const schedule = async () => {
    const at = gamification.service.nextBoundary(clock.now());
    await queue.enqueue(
      'gamification',
      SNAPSHOT_JOB,
      {},
      { runAt: new Date(at.getTime() + 1000), uniqueKey: `${SNAPSHOT_JOB}:${at.toISOString()}` },
    );
  };
  queue.register(SNAPSHOT_JOB, async () => {
    const n = await gamification.service.snapshotClosedPeriods(clock.now());
    if (n) logger.info({ snapshots: n }, 'leaderboard snapshots written');
    await schedule();
  });
  // At start-up: catch up on any boundary passed while no worker ran, and schedule the next one.
  return async () => {
    await gamification.service.snapshotClosedPeriods(clock.now());
    await schedule();
  };
}
