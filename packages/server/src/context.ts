import type { CommunitiesConfig } from '@communities/contract';
import { Kysely, SqliteDialect } from 'kysely';
import { Redis } from 'ioredis';

import { createAnalytics, type AnalyticsService } from './analytics';
import { AdminAudit } from './admin/audit';
import { AdminService } from './admin/service';
import { AddonSettings } from './admin/settings';
import { subscribeEventLog } from './analytics/event-log';
import { createChatServices, type ChatServices } from './chat';
import { createCommunityServices, type CommunityServices } from './communities';
import { subscribeFeedSystemItems } from './communities/feed/system-items';
import { createGamification, type Gamification } from './gamification';
import { HostAuthenticator, type Authenticator } from './http/auth';
import { HostSync } from './host/sync';
import { PaidAccessSync } from './communities/paid-access';
import { createRocketLmsHost, openHostDb } from './host/rocketlms/adapter';
import { FileSessionStore, RedisSessionStore, type SessionStore } from './host/rocketlms/auth/laravel-session';
import type { HostDatabase } from './host/rocketlms/schema';
import type { HostPorts } from './host/ports';
import { Outbox } from './platform/bus';
import { systemClock, type Clock } from './platform/clock';
import { connect, withStatementCache, type Db } from './platform/db/connect';
import { tablePrefix } from './platform/db/table-prefix';
import { createLogger, type Logger } from './platform/logger';
import { createModerationServices, type ModerationServices } from './moderation';
import { DbQueue, type Queue } from './platform/queue';
import { BullQueue } from './platform/queue-bullmq';
import { createRateLimiter, type RateLimiter } from './security/rate-limit';
import { ChannelAuthorizer } from './realtime/authorize';
import { NoBroadcaster, PusherHttpBroadcaster, type Broadcaster } from './realtime/broadcaster';
import { RedisBroadcaster, RedisCluster } from './realtime/cluster';
import { RealtimeRevoker, subscribeRevocations } from './realtime/revoke';
import { createNotifications, type NotificationService } from './notifications';
import { SearchIndexer, SearchService } from './search';
import { createUploadService } from './security/uploads';
import type { UploadService } from './security/uploads/service';

/**
 * The composition root's product: every collaborator, wired once from config.
 * Domain services are added here as they land; routes and jobs receive this object.
 */
export interface AppContext {
  config: CommunitiesConfig;
  logger: Logger;
  clock: Clock;
  db: Db;
  /** Kysely over the host's (RocketLMS) tables: the demo tables in our file, or RocketLMS's MySQL. */
  hostDb: Kysely<HostDatabase>;
  /** The host database's circuit when it has its own pool (RocketLMS's MySQL), else null. */
  hostGate: Db['gate'] | null;
  host: HostPorts;
  /** Domain events: recorded in the publisher's transaction, delivered by the outbox dispatcher. */
  bus: Outbox;
  auth: Authenticator;
  rateLimiter: RateLimiter;
  redis: Redis | null;
  queue: Queue;
  hostSync: HostSync;
  /** Paid tiers and course access from RocketLMS sales (also run by the host sync). */
  paidAccess: PaidAccessSync;
  /** SQLite's search indexer (migration 0015); null on MariaDB and PostgreSQL, whose indexes follow each write. */
  searchIndex: SearchIndexer | null;
  services: {
    communities: CommunityServices;
    chat: ChatServices;
    uploads: UploadService;
    channelAuth: ChannelAuthorizer;
    moderation: ModerationServices;
    gamification: Gamification;
    analytics: AnalyticsService;
    admin: AdminService;
    search: SearchService;
    /** Runtime-editable config (addon_settings), applied to `config` in place on every process. */
    settings: AddonSettings;
    notifications: NotificationService;
  };
  /** Publishes realtime events; wired to the gateway when the HTTP server starts (or to Pusher). */
  broadcaster: Broadcaster;
  /** chat.driver = redis: the fan-out and presence the built-in gateway shares with other processes. */
  realtimeCluster: RedisCluster | null;
  /** Ends realtime subscriptions that lost access: through the Redis cluster, or this process's gateway once it starts. */
  revoker: RealtimeRevoker;
  /** Whether a user has a live connection (their user channel is subscribed here); set when this process runs the gateway. */
  presence: ((userId: number) => Promise<boolean>) | null;
  close(): Promise<void>;
}

export interface ContextOptions {
  logger?: Logger;
  clock?: Clock;
}

/**
 * Logs faults of connections nobody is waiting on (a database or Redis restart drops idle
 * connections), at most once per 10 s per source, instead of letting them crash the process.
 */
export function faultLogger(logger: Logger): (error: unknown, where: string) => void {
  const last = new Map<string, number>();
  return (error, where) => {
    const now = Date.now();
    if (now - (last.get(where) ?? 0) < 10_000) return;
    last.set(where, now);
    logger.warn({ err: error, where }, `${where}: ${(error as Error)?.message ?? String(error)} (reconnects on demand)`);
  };
}

/** connect() options from `database.*`. */
export function dbOptions(config: CommunitiesConfig, onFault: (error: unknown, where: string) => void) {
  const d = config.database;
  return {
    poolSize: d.pool_size,
    sqliteMmapMb: d.sqlite_mmap_mb,
    timeouts: { connectMs: d.connect_timeout_ms, acquireMs: d.acquire_timeout_ms, queryMs: d.query_timeout_ms },
    onFault,
  };
}

function openHost(
  config: CommunitiesConfig,
  db: Db,
  onFault: (error: unknown, where: string) => void,
): { hostDb: Kysely<HostDatabase>; hostGate: Db['gate'] | null; close: () => Promise<void> } {
  if (config.host.database_url) {
    const h = openHostDb(
      config.host.database_url,
      dbOptions(config, (e, w) => onFault(e, `host ${w}`)),
    );
    return { hostDb: h.db, hostGate: h.gate, close: h.destroy };
  }
  if (db.sqlite) {
    // The demo school lives in the same SQLite file. A second Kysely (no table prefix, its own
    // connection mutex) lets host reads run while an addon transaction holds the first.
    const hostDb = new Kysely<HostDatabase>({ dialect: new SqliteDialect({ database: withStatementCache(db.sqlite) }) });
    return { hostDb, hostGate: null, close: async () => {} };
  }
  const h = openHostDb(
    config.database.url,
    dbOptions(config, (e, w) => onFault(e, `host ${w}`)),
  );
  return { hostDb: h.db, hostGate: h.gate, close: h.destroy };
}

/** Connects at boot, failing with an error that names Redis and where it was looked for. */
async function connectRedis(redis: Redis, url: string, key: string): Promise<void> {
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`Redis at ${redactUrl(url)} (${key}) is not reachable: ${(error as Error).message}`);
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

export async function createContext(config: CommunitiesConfig, options: ContextOptions = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger(config.log_level);
  const clock = options.clock ?? systemClock;
  const onFault = faultLogger(logger);
  const db = connect(config.database.url, { prefix: tablePrefix(config), ...dbOptions(config, onFault) });
  // SQLite indexes new messages, posts and comments for search in batches after commits (migration 0015).
  const searchIndex = db.sqlite ? new SearchIndexer({ ...db, sqlite: db.sqlite }, logger).start() : null;
  const { hostDb, hostGate, close: closeHost } = openHost(config, db, onFault);
  const redis = config.redis.url ? new Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 2 }) : null;
  // ioredis reconnects by itself; its 'error' events during an outage are logged, not printed raw.
  redis?.on('error', (error) => onFault(error, 'redis'));
  if (redis) await connectRedis(redis, config.redis.url!, 'redis.url');
  const bus = new Outbox(db.db, db.dialect, logger, clock, {
    retentionDays: config.events.retention_days,
    maxAttempts: config.events.max_attempts,
    leaseMs: config.events.lease_seconds * 1000,
    lingerMs: config.events.linger_ms,
    groupCommit: db.groupCommit,
    ...(db.sqliteStatements ? { sqliteStatements: db.sqliteStatements } : {}),
  });
  const host = createRocketLmsHost({
    db: hostDb,
    baseUrl: config.host.base_url,
    roleMap: config.host.role_map,
    defaultLocale: config.host.default_locale,
    // Host-table writes only: the notifications domain decides what reaches it (see createNotifications).
    notificationChannel: 'rocketlms',
    now: () => ctx.clock.now(),
  });
  let sessionRedis: Redis | null = null;
  let sessions: SessionStore | null = null;
  if (config.host.session_driver === 'redis' && config.host.session_redis_url) {
    // Every cookie-signed request reads its session here: a frozen Redis must fail it (503), not hold it.
    sessionRedis = new Redis(config.host.session_redis_url, {
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      connectTimeout: config.database.connect_timeout_ms,
      commandTimeout: config.database.connect_timeout_ms,
    });
    sessionRedis.on('error', (error) => onFault(error, 'session redis'));
    sessions = new RedisSessionStore(sessionRedis, config.host.session_redis_prefix);
  } else {
    sessions = new FileSessionStore(config.host.session_path);
  }
  const auth = new HostAuthenticator(config.host, host.identities, sessions, () => clock.now().getTime());
  const rateLimiter = createRateLimiter(config.rate_limits, redis, () => clock.now().getTime(), logger);
  if (config.queue.driver === 'bullmq' && !config.redis.url) throw new Error('queue.driver = bullmq needs redis.url');
  const queue: Queue =
    config.queue.driver === 'bullmq' && config.redis.url
      ? new BullQueue({
          url: config.redis.url,
          prefix: config.queue.prefix,
          logger,
          backoffBaseMs: config.queue.retry_backoff_ms,
          concurrency: config.queue.concurrency,
          now: () => clock.now(),
        })
      : new DbQueue(db.db, logger, () => clock.now(), config.queue.retry_backoff_ms);
  const revoker = new RealtimeRevoker(logger);
  // Reads ctx.clock when asked, so a moved clock (tests) reaches the sync as it reaches the services.
  const liveClock: Clock = { now: () => ctx.clock.now() };
  const paidAccess = new PaidAccessSync({
    db: db.db,
    hostDb,
    host,
    bus,
    clock: liveClock,
    config,
    logger,
    revoker,
    // The broadcaster is swapped when the HTTP server starts: read it when publishing.
    realtime: {
      config,
      get broadcaster() {
        return ctx.broadcaster;
      },
    },
  });
  const hostSync = new HostSync({ db: db.db, hostDb, host, bus, clock: liveClock, logger, auth, paid: paidAccess });
  subscribeEventLog(bus, db);
  if (config.chat.driver === 'redis' && !redis) throw new Error('chat.driver = redis needs redis.url');
  const realtimeCluster =
    config.chat.driver === 'redis' && redis ? new RedisCluster(redis, { prefix: `communities:${config.chat.app_id}:`, logger }) : null;

  const ctx: AppContext = {
    config,
    logger,
    clock,
    db,
    hostDb,
    hostGate,
    host,
    bus,
    auth,
    rateLimiter,
    redis,
    queue,
    hostSync,
    realtimeCluster,
    revoker,
    paidAccess,
    presence: null,
    searchIndex,
    async close() {
      searchIndex?.close();
      await ctx.services?.settings?.close();
      await queue.close();
      await bus.close();
      await ctx.services?.gamification?.folder.close();
      if (realtimeCluster) await realtimeCluster.close();
      await host.close();
      await closeHost();
      await db.destroy();
      if (redis) redis.disconnect();
      if (sessionRedis) sessionRedis.disconnect();
    },
    services: undefined as unknown as AppContext['services'],
    broadcaster: realtimeCluster
      ? new RedisBroadcaster(realtimeCluster)
      : config.chat.driver === 'pusher'
        ? new PusherHttpBroadcaster(config.chat)
        : new NoBroadcaster(),
  };
  // Any process (a worker's host sync too) publishes revocations; gateways apply them (http/server.ts).
  if (realtimeCluster) ctx.revoker.attach((r) => realtimeCluster.publishRevocation(r));
  subscribeRevocations(bus, ctx.revoker);
  // Services take the finished context; wired last so they see every collaborator.
  const communities = createCommunityServices(ctx);
  // Notifications first: the port it returns replaces host.notifications, so level-ups and tier
  // changes pass the same switches, store and live push as the rest.
  const notifications = createNotifications(ctx, communities.facts, host.notifications);
  host.notifications = notifications.port;
  const chat = createChatServices(ctx, communities.facts);
  // The broadcaster is swapped when the HTTP server starts (and tests move the clock): read when used.
  const moderationDeps = {
    config,
    logger,
    db,
    host,
    bus,
    queue,
    facts: communities.facts,
    get clock() {
      return ctx.clock;
    },
    get broadcaster() {
      return ctx.broadcaster;
    },
  };
  ctx.services = {
    communities,
    chat,
    moderation: createModerationServices(moderationDeps, chat, communities.feed),
    uploads: undefined as unknown as UploadService,
    channelAuth: new ChannelAuthorizer({
      db: db.db,
      facts: communities.facts,
      key: config.chat.app_key,
      secret: config.chat.app_secret,
      prefix: config.chat.broadcast_channel_prefix,
      identities: host.identities,
      ownedPrivate: config.chat.driver === 'broadcast' || config.chat.driver === 'redis',
    }),
    notifications: notifications.service,
    gamification: createGamification(ctx, communities.facts),
    analytics: createAnalytics(ctx, communities.facts),
    search: new SearchService(
      {
        config,
        db,
        host,
        index: searchIndex,
        get clock() {
          return ctx.clock;
        },
      },
      communities.facts,
    ),
    admin: undefined as unknown as AdminService,
    settings: undefined as unknown as AddonSettings,
  };
  ctx.services.uploads = createUploadService(ctx);
  // A reply marked helpful (or unmarked) looks different to everyone: its updated_at moves, so
  // catch-up finds it, and the channel's members get message.updated with the mark.
  ctx.bus.subscribe('AnswerMarkedHelpful', async (e) => {
    if (e.payload.target_type === 'message') await chat.messages.touched(e.payload.target_id);
  });
  const audit = new AdminAudit(db.db, clock);
  const settings = new AddonSettings({ config, db: db.db, dialect: db.dialect, clock, logger, redis, audit });
  ctx.services.settings = settings;
  ctx.services.admin = new AdminService({
    db,
    get clock() {
      return ctx.clock;
    },
    host,
    communities,
    settings,
    audit,
    maxGrantMinutes: () => config.communities.act_as_owner_max_minutes,
    running: () => ({
      chat_driver: config.chat.driver,
      queue_driver: config.queue.driver,
      scanner_driver: config.file_scanner.driver,
      storage_driver: config.storage.driver,
      host_adapter: config.host.adapter,
      redis: redis !== null,
      database_dialect: db.dialect,
    }),
  });
  if (config.features.central_feed) subscribeFeedSystemItems(ctx);
  return ctx;
}
