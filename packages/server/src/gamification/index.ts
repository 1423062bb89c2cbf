import { createHash } from 'node:crypto';

import type { Redis } from 'ioredis';
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
import { ScoreFolder } from './fold';
import { Ledger } from './ledger';
import { levelOf } from './levels';
import { Leaderboards } from './boards';
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
  redis: Redis | null;
}

export interface Gamification {
  service: GamificationService;
  ledger: Ledger;
  scores: SqlScores;
  boards: Leaderboards;
  settings: GamificationSettings;
  /** Folds awards into the week and month rows and the profiles (fold.ts); closed with the context. */
  folder: ScoreFolder;
}

export const SNAPSHOT_JOB = 'leaderboard.snapshot';
/** How stale a node's in-memory board may get when several nodes share SQL and no Redis. */
const BOARD_REFRESH_MS = 30_000;

export function createGamification(ctx: GamificationContext, facts: FactsLoader): Gamification {
  const now = () => ctx.clock.now();
  const g = ctx.config.gamification;
  const settings = new GamificationSettings(ctx.db.db, ctx.db.dialect, g, now);
  const scores = new SqlScores(ctx.db.db, ctx.db.dialect);
  // Boards in Redis are per installation (database and table prefix), so installations sharing a Redis never mix.
  const installation = createHash('sha256').update(`${ctx.config.database.url}|${ctx.db.prefix}`).digest('hex').slice(0, 12);
  const boards = new Leaderboards(scores, ctx.redis, `communities:lb:${installation}:`, ctx.logger, {
    // Nodes sharing a SQL database without Redis see each other's awards when a board reloads.
    refreshMs: ctx.redis || ctx.db.dialect === 'sqlite' ? null : BOARD_REFRESH_MS,
  });
  const folder = new ScoreFolder(
    ctx.db.db,
    ctx.db.dialect,
    scores,
    async () => {
      const thresholds = (await settings.rules()).level_thresholds;
      return (p: number) => levelOf(p, thresholds);
    },
    now,
    ctx.logger,
  );
  const ledger = new Ledger(ctx.db.db, ctx.db.dialect, scores, boards, settings, g.timezone, now, folder);
  const service = new GamificationService(
    { db: ctx.db.db, dialect: ctx.db.dialect, bus: ctx.bus, host: ctx.host, config: g, now, fold: () => folder.drain() },
    facts,
    scores,
    boards,
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
      channelPrefix: ctx.config.chat.broadcast_channel_prefix,
      broadcaster: () => ctx.broadcaster,
    }).register(ctx.bus);
  return { service, ledger, scores, boards, settings, folder };
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
