import { z } from 'zod';

/**
 * The addon's configuration: every key of the brief's section 1 plus what a running
 * service needs (database, Redis, HTTP, host connection, secrets). One schema, used by
 * the server to validate `communities.config.json` + environment overrides, and by docs.
 * Each leaf carries a description that doubles as "the accepted form" in error messages.
 */

const bool = (d: boolean) => z.boolean().default(d).describe('true or false');
const int = (d: number, min: number, max: number) =>
  z.number().int().min(min).max(max).default(d).describe(`integer from ${min} to ${max}`);
const str = (d: string, what = 'a string') => z.string().default(d).describe(what);
const optStr = (what: string) => z.string().min(1).optional().describe(what);

export const FEATURE_NAMES = [
  'leaderboard',
  'central_feed',
  'channels',
  'gamification',
  'dm',
  'heatmap',
  'pricing_tiers',
  'chatroom',
  'file_scanning',
  'bad_word_filter',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

const featuresSchema = z
  .object(Object.fromEntries(FEATURE_NAMES.map((f) => [f, bool(true)])) as Record<FeatureName, ReturnType<typeof bool>>)
  .strict()
  .default(Object.fromEntries(FEATURE_NAMES.map((f) => [f, true])) as Record<FeatureName, boolean>);

const databaseSchema = z
  .object({
    url: str(
      'sqlite://./.data/communities.sqlite',
      'a database URL: sqlite://path, sqlite::memory:, mysql://user:pass@host:port/db or postgres://user:pass@host:port/db',
    ).pipe(z.string().regex(/^(sqlite:|mysql:\/\/|mariadb:\/\/|postgres:\/\/|postgresql:\/\/)/, 'unsupported scheme')),
    table_prefix: z
      .string()
      .regex(/^[a-z0-9_]{0,16}$/, 'lower-case letters, digits and _ only, at most 16')
      .default('')
      .describe(
        'lower-case letters, digits and _, at most 16 characters (e.g. "cm_"); empty: none, except "cm_" when the addon shares RocketLMS\'s database (host.adapter = rocketlms, host.database_url empty, database.url mysql://)',
      ),
    pool_size: int(10, 1, 200),
    sqlite_mmap_mb: int(0, 0, 1_048_576).describe(
      'integer from 0 to 1048576: SQLite only, how many MiB of the database file its connection reads through a memory map (PRAGMA mmap_size) instead of a read() call per page; 0: none. In a large file (10,000,000 messages) a history page at random depth read through better-sqlite3 alone took 213 instead of 460 µs of CPU, warm; over HTTP on a loaded machine the gain was within the noise. An I/O error on a mapped page stops the process (SIGBUS) instead of failing one request',
    ),
    connect_timeout_ms: int(3000, 100, 60_000).describe(
      'integer from 100 to 60000: how long opening a MariaDB/PostgreSQL connection may take before the request fails with 503 (also the connect and command timeout of the Laravel session Redis)',
    ),
    acquire_timeout_ms: int(3000, 100, 60_000).describe(
      'integer from 100 to 60000: how long a request may wait for a free pooled connection before it fails with 503',
    ),
    query_timeout_ms: int(15_000, 100, 600_000).describe(
      'integer from 100 to 600000: the longest a statement may run (PostgreSQL statement_timeout; MariaDB/PostgreSQL connections that stay silent this long are dropped and the request fails with 503)',
    ),
    health_timeout_ms: int(1000, 100, 10_000).describe(
      'integer from 100 to 10000: how long the health check waits for each dependency before reporting it down',
    ),
  })
  .strict()
  .prefault({});

const httpSchema = z
  .object({
    host: str('127.0.0.1', 'an interface address such as 127.0.0.1 or 0.0.0.0'),
    port: int(8787, 0, 65535),
    public_url: optStr('the absolute URL users reach the addon at, e.g. https://school.example.com'),
    base_path: z
      .string()
      .regex(/^(\/[a-z0-9._-]+)*$/i, 'empty, or a path starting with / and not ending with /')
      .default('')
      .describe('empty, or a path prefix such as /addon (no trailing slash)'),
    web_path: z
      .string()
      .regex(/^\/[a-z0-9._/-]*[^/]$/i)
      .default('/communities')
      .describe('path of the web app, e.g. /communities'),
    trust_proxy: bool(false),
    body_limit_bytes: int(1_048_576, 1024, 50 * 1_048_576),
    frame_ancestors: z
      .array(z.string().regex(/^https?:\/\/[^\s/;,']+$/, 'an origin such as https://school.example.com'))
      .max(20)
      .default([])
      .describe('origins (https://host[:port]) that may show the web app in a frame, besides itself and host.base_url'),
  })
  .strict()
  .prefault({});

const roleMapSchema = z
  .record(z.string(), z.enum(['admin', 'instructor', 'student']))
  .default({ admin: 'admin', teacher: 'instructor', organization: 'instructor', user: 'student' })
  .describe('an object mapping RocketLMS role names to admin | instructor | student');

const hostSchema = z
  .object({
    adapter: z
      .enum(['rocketlms', 'demo'])
      .default('demo')
      .describe('rocketlms (a real RocketLMS database) or demo (seeded tables in the addon database)'),
    database_url: optStr("a mysql:// URL of RocketLMS's database; empty to use the addon's own database"),
    base_url: str('http://127.0.0.1:8787', 'the RocketLMS site URL, used for avatars, course links and sign-in'),
    login_url: optStr('where to send signed-out users; defaults to base_url + /login'),
    app_key: optStr('Laravel APP_KEY, e.g. base64:…'),
    app_name: str('RocketLMS', 'Laravel APP_NAME; the session cookie is slug(APP_NAME)_session'),
    session_cookie: optStr('the Laravel session cookie name, when it is not slug(app_name)_session'),
    session_driver: z.enum(['file', 'redis']).default('file').describe('file or redis'),
    session_path: str('./storage/framework/sessions', 'the Laravel storage/framework/sessions folder'),
    session_redis_url: optStr("a redis:// URL of Laravel's session store"),
    session_redis_prefix: str('laravel_database_laravel_cache_:', 'the prefix Laravel puts before session keys in Redis'),
    jwt_secret: optStr('RocketLMS JWT_SECRET'),
    jwt_prv: optStr('expected prv claim (sha1 of the user model class); omit to skip the check'),
    jwt_leeway_seconds: int(30, 0, 600),
    api_key: optStr('RocketLMS x-api-key expected from mobile clients; omit to skip the check'),
    default_locale: str('en', 'a locale code such as en'),
    role_map: roleMapSchema,
    identity_cache_seconds: int(30, 0, 30).describe(
      'integer from 0 to 30: how long a user read from RocketLMS is held before it is read again: the signed-in user (sign-in, bans) and the authors message pages show (name, avatar); a ban the host sync sees is forgotten at once; 0: read every time',
    ),
    sync_interval_seconds: int(30, 5, 86_400).describe(
      'integer from 5 to 86400: how often the worker reads new enrolments, sales (paid tiers), completions and bans from RocketLMS; a purchase becomes access within it',
    ),
  })
  .strict()
  .prefault({});

const integrationSchema = z
  .object({
    user_model: str('App\\Models\\User', 'a PHP class name (kept for parity with the brief; informs jwt prv)'),
    course_model: str('App\\Models\\Webinar', 'a PHP class name'),
    payment_gateway_adapter: z
      .enum(['rocketlms', 'manual'])
      .default('rocketlms')
      .describe(
        "rocketlms (tiers linked to a RocketLMS item sell through RocketLMS's checkout; the host sync turns sales into subscriptions) | manual (no checkout links, no sales sync: owners grant tiers by hand)",
      ),
    notification_channel: z
      .enum(['addon', 'rocketlms', 'both'])
      .default('both')
      .describe('addon (in-app only) | rocketlms (host notifications table) | both'),
  })
  .strict()
  .prefault({});

const chatSchema = z
  .object({
    driver: z
      .enum(['broadcast', 'redis', 'pusher', 'database'])
      .default('broadcast')
      .describe(
        'broadcast (built-in gateway, one process) | redis (built-in gateway, Redis fan-out) | pusher (external Pusher-compatible server) | database (no push; clients poll)',
      ),
    broadcast_channel_prefix: z
      .string()
      .regex(/^[A-Za-z0-9_\-=@,.;]*$/)
      .default('communities.')
      .describe('characters allowed in Pusher channel names'),
    max_message_length: int(4000, 1, 100_000),
    max_attachments_per_message: int(10, 0, 50),
    edit_window_seconds: int(0, 0, 31_536_000),
    app_id: str('communities', 'the Pusher app id'),
    app_key: str('communities-key', 'the Pusher app key'),
    app_secret: str(
      'communities-secret-change-me',
      'the Pusher app secret: a long random string, the same on every process; required outside demo mode and for demo mode on a server database (its sign-in secrets derive from it)',
    ),
    pusher_host: optStr('host of an external Pusher-compatible server (Soketi, Reverb)'),
    pusher_port: z.number().int().min(1).max(65535).optional().describe('integer port'),
    pusher_use_tls: bool(true),
    pusher_cluster: optStr('Pusher cluster, e.g. eu'),
    activity_timeout_seconds: int(120, 10, 3600),
    client_events_per_second: int(10, 1, 100),
    max_socket_buffer_bytes: z
      .number()
      .int()
      .min(64 * 1024)
      .max(256 * 1024 * 1024)
      .default(2 * 1024 * 1024)
      .describe('unsent bytes a gateway socket may hold before it is closed as not reading (pusher-js reconnects and catches up)'),
    socket_flush_ms: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .default(20)
      .describe(
        'integer from 0 to 1000: the built-in gateway writes to its sockets at most this often (ms), what is due meanwhile in one write per socket; a message after a quiet spell goes at once. 0: every turn of the event loop',
      ),
    presence_member_limit: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(100)
      .describe(
        'members a presence channel lists in full (Pusher caps presence at 100); past it everyone gets the same capped list and a throttled count (pusher_internal:subscription_count), not every join and leave',
      ),
  })
  .strict()
  .prefault({});

const dmSchema = z
  .object({
    allow_from: z
      .enum(['everyone', 'shared_community', 'nobody'])
      .default('shared_community')
      .describe('everyone | shared_community | nobody'),
    max_group_participants: int(10, 3, 100),
  })
  .strict()
  .prefault({});

const fileScannerSchema = z
  .object({
    driver: z.enum(['clamav', 'http', 'null']).default('null').describe('clamav | http | null (development only)'),
    clamav: z
      .object({
        host: str('127.0.0.1', 'clamd host'),
        port: int(3310, 1, 65535),
        socket: optStr("path of clamd's Unix socket; used instead of host/port when set"),
        timeout_ms: int(30_000, 100, 600_000),
        chunk_size: int(64 * 1024, 1024, 4 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    http: z
      .object({
        url: optStr('the scanner URL files are POSTed to'),
        token: optStr('bearer token sent to the scanner'),
        timeout_ms: int(30_000, 100, 600_000),
        verdict_field: str('status', 'JSON field of the response holding the verdict'),
        clean_values: z.array(z.string()).default(['clean', 'ok']).describe('array of verdicts meaning clean'),
        infected_values: z.array(z.string()).default(['infected', 'malicious']).describe('array of verdicts meaning infected'),
      })
      .strict()
      .prefault({}),
    allowed_mimetypes: z
      .array(z.string().regex(/^[a-z]+\/[a-z0-9.+*-]+$/i, 'a MIME type such as image/png'))
      .default([
        'image/png',
        'image/jpeg',
        'image/gif',
        'image/webp',
        'application/pdf',
        'text/plain',
        'application/zip',
        'video/mp4',
        'audio/mpeg',
      ])
      .describe('array of MIME types'),
    max_file_size: int(25 * 1024 * 1024, 1, 2 * 1024 * 1024 * 1024),
    upload_stall_seconds: int(30, 1, 3600).describe(
      'integer from 1 to 3600: seconds an upload body may send nothing before it is refused with 408 (stalled or truncated)',
    ),
    on_infected: z.enum(['quarantine', 'delete']).default('quarantine').describe('quarantine | delete'),
    max_attempts: int(5, 1, 50),
  })
  .strict()
  .prefault({});

const storageSchema = z
  .object({
    driver: z.enum(['local', 's3']).default('local').describe('local | s3'),
    path: str('./.data/uploads', 'a folder for uploads (local driver)'),
    s3_bucket: optStr('bucket name'),
    s3_region: optStr('region'),
    s3_endpoint: optStr('S3-compatible endpoint URL'),
    s3_access_key_id: optStr('access key id'),
    s3_secret_access_key: optStr('secret access key'),
  })
  .strict()
  .prefault({});

const filterAction = z.enum(['censor', 'reject', 'flag', 'hold']);
const severityAction = filterAction.optional().describe('censor | reject | flag | hold (default: on_detect)');
const moderationSchema = z
  .object({
    bad_words: z
      .union([z.array(z.string().min(1)), z.string().min(1)])
      .default([])
      .describe('an array of words, or a path to a word list (one word a line; `word,severity,replacement` also read)'),
    replace_char: z.string().length(1).default('*').describe('a single character'),
    /** The filter also checks DMs (their text, group titles and file names); off: DMs are only reported. */
    filter_dms: bool(true),
    actions: z
      .object({
        on_detect: filterAction.default('censor').describe('censor | reject | flag | hold'),
        /** The action per word severity, overriding on_detect (communities may override it again). */
        by_severity: z
          .object({ low: severityAction, medium: severityAction, high: severityAction })
          .strict()
          .prefault({})
          .describe('{ low?, medium?, high? }: censor | reject | flag | hold'),
        /** Violations within window_days that mute automatically (0: never). */
        auto_mute_threshold: int(5, 0, 1000),
        /** Violations within window_days that ban automatically (0: never). */
        auto_ban_threshold: int(10, 0, 1000),
        auto_mute_minutes: int(60, 1, 525_600),
        /** How long an automatic ban lasts (0: permanent). */
        auto_ban_minutes: int(0, 0, 525_600),
        window_days: int(30, 1, 365),
      })
      .strict()
      .prefault({}),
    spam: z
      .object({
        /** The same text this many times within repeat_window_seconds is spam (0: off). */
        repeat_count: int(4, 0, 100),
        repeat_window_seconds: int(60, 1, 86_400),
        /** More distinct mentions than this in one message is spam (0: off). */
        max_mentions: int(10, 0, 1000),
        /** Members who joined fewer days ago than this may not post links (0: off). */
        new_member_link_days: int(0, 0, 365),
        action: z.enum(['reject', 'flag', 'hold']).default('reject').describe('reject | flag | hold'),
      })
      .strict()
      .prefault({}),
    /** Messages before and after a reported DM message that staff see (never the whole thread). */
    dm_context_messages: int(5, 0, 50),
  })
  .strict()
  .prefault({});

/** The point values a rule may award (site-wide; owners scale them per community within `community_scale`). */
export const POINT_ACTIONS = [
  'post_message',
  'reply_message',
  'receive_reaction',
  'start_dm',
  'dm_message',
  'join_community',
  'complete_course_in_linked_community',
  'feed_post',
  'feed_comment',
  'answer_marked_helpful',
  'early_member',
  'active_days',
] as const;
export type PointAction = (typeof POINT_ACTIONS)[number];

/** Rules a badge may have; `threshold` is N (messages, helpful answers, streak days, first N members). */
export const BADGE_RULES = ['first_post', 'messages', 'helpful_answers', 'course_completed', 'early_member', 'streak_days'] as const;
export type BadgeRule = (typeof BADGE_RULES)[number];

/** An inline SVG (no scripts, no event handlers, no external references) or a short emoji. */
export const badgeIconSchema = z
  .string()
  .min(1)
  .max(4000)
  .refine(
    (s) =>
      /^<svg[\s>][\s\S]*<\/svg>$/.test(s.trim())
        ? !/<script|\son[a-z]+\s*=|href\s*=\s*["']?(?!#)|<foreignObject/i.test(s)
        : s.length <= 32 && /\p{Extended_Pictographic}/u.test(s),
    'an emoji, or an inline <svg>…</svg> without scripts, event handlers or external links',
  )
  .describe('an emoji, or an inline <svg>…</svg> (no scripts, event handlers or external links)');

export const badgeDefinitionSchema = z
  .object({
    slug: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, _ and -, at most 64')
      .describe('stable identifier'),
    name: z.string().trim().min(1).max(80),
    description: z.string().max(500).default(''),
    icon: badgeIconSchema.default('🏅'),
    rule: z.enum(BADGE_RULES).describe(BADGE_RULES.join(' | ')),
    threshold: z.number().int().min(1).max(1_000_000).default(1),
  })
  .strict();
export type BadgeDefinition = z.infer<typeof badgeDefinitionSchema>;

const pointsSchema = z
  .object({
    post_message: int(1, 0, 10_000),
    reply_message: int(2, 0, 10_000),
    receive_reaction: int(1, 0, 10_000),
    start_dm: int(0, 0, 10_000),
    dm_message: int(0, 0, 10_000),
    join_community: int(5, 0, 10_000),
    complete_course_in_linked_community: int(50, 0, 100_000),
    feed_post: int(3, 0, 10_000),
    feed_comment: int(1, 0, 10_000),
    answer_marked_helpful: int(10, 0, 10_000),
    early_member: int(10, 0, 10_000).describe(
      'integer from 0 to 10000: once, for joining among the first milestones.early_member_count members',
    ),
    active_days: int(20, 0, 10_000).describe(
      'integer from 0 to 10000: once, for being active on milestones.active_days distinct days in a community',
    ),
  })
  .strict()
  .prefault({});

const defaultCaps: Record<PointAction, number> = {
  post_message: 30,
  reply_message: 30,
  receive_reaction: 30,
  start_dm: 3,
  dm_message: 5,
  join_community: 50,
  complete_course_in_linked_community: 500,
  feed_post: 15,
  feed_comment: 20,
  answer_marked_helpful: 100,
  early_member: 10_000,
  active_days: 10_000,
};

const antiFarmingSchema = z
  .object({
    daily_caps: z
      .object(
        Object.fromEntries(POINT_ACTIONS.map((a) => [a, int(defaultCaps[a], 0, 1_000_000)])) as Record<PointAction, ReturnType<typeof int>>,
      )
      .strict()
      .prefault({})
      .describe('points one member may earn per action type per day (school timezone), per community'),
    reactions_per_reactor_per_author_per_day: int(3, 0, 1000).describe(
      'integer from 0 to 1000: reactions from one member to one author that earn points per day; reacting to yourself never does',
    ),
    dm_weight: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('number from 0 to 1: DM points (start_dm, dm_message) are multiplied by this'),
    min_message_length: int(10, 0, 10_000).describe(
      'integer from 0 to 10000: messages, comments and posts shorter than this many characters (trimmed) earn nothing',
    ),
  })
  .strict()
  .prefault({});

/**
 * What site admins may edit at runtime (`PATCH /api/communities/admin/gamification`), validated
 * by this same schema; the config file gives the starting values.
 */
export const gamificationRulesSchema = z
  .object({
    points: pointsSchema,
    anti_farming: antiFarmingSchema,
    milestones: z
      .object({
        early_member_count: int(100, 1, 1_000_000).describe(
          'integer from 1 to 1000000: the first N members of a community earn early_member',
        ),
        active_days: int(30, 1, 3650).describe('integer from 1 to 3650: distinct active days in a community that earn active_days'),
      })
      .strict()
      .prefault({}),
    level_thresholds: z
      .array(z.number().int().min(0))
      .min(1)
      .max(100)
      .refine((a) => a[0] === 0, 'must start at 0 (level 1)')
      .refine((a) => a.every((v, i) => i === 0 || v > a[i - 1]!), 'must increase strictly')
      .default([0, 5, 20, 65, 155, 515, 2015, 8015, 33015])
      .describe('a strictly increasing array of point totals starting at 0, one per level from level 1 (default: nine levels, like Skool)'),
    badges: z
      .array(badgeDefinitionSchema)
      .max(200)
      .refine((a) => new Set(a.map((b) => b.slug)).size === a.length, 'badge slugs must be unique')
      .default([
        { slug: 'first-post', name: 'First post', description: '', icon: '✍️', rule: 'first_post', threshold: 1 },
        { slug: 'helper', name: 'Helper', description: '', icon: '🤝', rule: 'helpful_answers', threshold: 5 },
        { slug: 'early-member', name: 'Early member', description: '', icon: '🌱', rule: 'early_member', threshold: 100 },
      ])
      .describe('array of {slug, name, description, icon (emoji or inline SVG), rule, threshold}'),
  })
  .strict();
export type GamificationRules = z.infer<typeof gamificationRulesSchema>;

const gamificationSchema = gamificationRulesSchema
  .extend({
    community_scale: z
      .object({
        min: z.number().min(0).max(1).default(0.5).describe('number from 0 to 1: the lowest multiplier an owner may set'),
        max: z.number().min(1).max(10).default(2).describe('number from 1 to 10: the highest multiplier an owner may set'),
      })
      .strict()
      .prefault({}),
    timezone: z
      .string()
      .default('UTC')
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, 'an IANA time zone such as Europe/Berlin')
      .describe("the school's IANA time zone: leaderboard weeks (from Monday) and months, and daily caps, start at its midnight"),
    leaderboard_size: int(10, 1, 100).describe('integer from 1 to 100: entries a leaderboard answers by default'),
    notify_host_on_level_up: bool(false).describe("true or false: also send a level-up to RocketLMS's notification centre"),
  })
  .strict()
  .prefault({});

const pricingSchema = z
  .object({
    enable_per_community_subscriptions: bool(true).describe(
      'true or false: paid tiers gate communities and channels (false: tiers are listed but every community is free)',
    ),
    default_currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
      .default('USD')
      .describe('an ISO 4217 code such as USD'),
    grace_period_hours: int(24, 0, 2160).describe(
      'integer from 0 to 2160: hours a lapsed paid subscription stays past_due (access kept) before it is expired',
    ),
  })
  .strict()
  .prefault({});

const rateLimitRule = (max: number, windowSeconds: number) =>
  z
    .object({ max: int(max, 1, 1_000_000), window_seconds: int(windowSeconds, 1, 86_400) })
    .strict()
    .prefault({});

const rateLimitsSchema = z
  .object({
    store: z.enum(['memory', 'redis']).default('memory').describe('memory (one process) | redis (several)'),
    messages: rateLimitRule(30, 10),
    dm_messages: rateLimitRule(30, 10),
    feed_posts: rateLimitRule(10, 60),
    uploads: rateLimitRule(20, 60),
    client_events: rateLimitRule(10, 1),
    /** Joining and leaving communities. */
    membership: rateLimitRule(20, 60),
    /** Reactions on messages, DMs, posts and comments (each one is a realtime event). */
    reactions: rateLimitRule(30, 10),
    /** Read markers of channels and DM threads. */
    read_markers: rateLimitRule(60, 10),
    /** Realtime channel authorisations (/broadcasting/auth): a client signs a few per page. */
    channel_auth: rateLimitRule(60, 10),
    /** Reports of messages, posts, comments and users. */
    reports: rateLimitRule(10, 60),
    /** "Check my purchase": each one reads the caller's RocketLMS sales at once. */
    purchase_checks: rateLimitRule(10, 60),
    /** Leaderboard reads (community and global): a page shows one or two. */
    leaderboard_reads: rateLimitRule(60, 10),
    /** Searches (GET /search): each one runs full-text queries over every source the caller reads. */
    search: rateLimitRule(30, 10),
  })
  .strict()
  .prefault({});

/**
 * Notification kinds. Each has an admin switch for the in-app inbox and for RocketLMS's
 * notification centre, and each user's own switches under those.
 */
export const NOTIFICATION_KINDS = [
  'mention',
  'reply',
  'reaction',
  'dm',
  'join_request',
  'request_decided',
  'report_outcome',
  'sanction',
  'level_up',
  'badge',
  'tier',
  'announcement',
  'upload_blocked',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

const kindList = (d: readonly NotificationKind[], what: string) =>
  z
    .array(z.enum(NOTIFICATION_KINDS))
    .max(NOTIFICATION_KINDS.length)
    .default([...d])
    .describe(`an array of kinds (${NOTIFICATION_KINDS.join(' | ')}): ${what}`);

const notificationsSchema = z
  .object({
    in_app_kinds: kindList(NOTIFICATION_KINDS, 'kinds stored in the in-app inbox (the bell) and pushed live'),
    host_kinds: kindList(
      ['mention', 'reply', 'dm', 'join_request', 'request_decided', 'report_outcome', 'sanction', 'tier', 'announcement', 'upload_blocked'],
      "kinds also written to RocketLMS's notifications table (its notification centre), in the recipient's users.language; integration.notification_channel = addon turns all of them off",
    ),
    fanout_batch: int(100, 10, 5000).describe(
      'integer from 10 to 5000: rows per insert when an @everyone or an announcement reaches a whole community; the server answers waiting requests between batches (smaller: shorter waits; 100 measured best at 10,000 members)',
    ),
    dm_offline_only: bool(true).describe('true or false: a DM notifies only a recipient with no live connection (false: every DM)'),
  })
  .strict()
  .prefault({});

export const SEARCH_LANGUAGES = [
  'simple',
  'arabic',
  'danish',
  'dutch',
  'english',
  'finnish',
  'french',
  'german',
  'italian',
  'portuguese',
  'russian',
  'spanish',
  'swedish',
  'turkish',
] as const;

const searchSchema = z
  .object({
    language: z
      .enum(SEARCH_LANGUAGES)
      .default('simple')
      .describe(
        'PostgreSQL: the text-search configuration queries stem with (simple: no stemming); `communities search:rebuild` adds its index. SQLite (FTS5, unicode61) and MariaDB (FULLTEXT) match whole words in every language',
      ),
  })
  .strict()
  .prefault({});

const heatmapSchema = z
  .object({
    show_activity_by_default: z
      .array(z.enum(['admin', 'instructor', 'student']))
      .default(['admin', 'instructor'])
      .describe("array of global roles whose activity heatmap fellow members see until they hide it (students' is private unless listed)"),
  })
  .strict()
  .prefault({});

const communitiesSchema = z
  .object({
    who_can_create: z
      .array(z.enum(['admin', 'instructor', 'student']))
      .default(['admin', 'instructor'])
      .describe('array of global roles allowed to create communities'),
    create_host_roles: z
      .array(z.string().min(1).max(64))
      .max(50)
      .default([])
      .describe(
        'array of RocketLMS role names (users.role_name, e.g. teacher) that may also create communities, whatever their global role',
      ),
    admin_permissions: z
      .record(
        z.string().min(1).max(64),
        z.array(z.enum(['manage_communities', 'manage_community_settings', 'view_community_analytics', 'manage_community_moderation'])),
      )
      .default({})
      .describe(
        'an object mapping RocketLMS role names (e.g. organization) to arrays of admin permissions: manage_communities | manage_community_settings | view_community_analytics | manage_community_moderation (RocketLMS admins hold all four)',
      ),
    act_as_owner_max_minutes: int(240, 5, 1440).describe('integer from 5 to 1440: the longest an "open as owner" support grant may last'),
  })
  .strict()
  .prefault({});

const adminSettingsSchema = z
  .object({
    locked: z
      .array(z.string().regex(/^[a-z_]+(\.[a-z_]+)*$/, 'a dotted config key such as features.dm'))
      .max(200)
      .default([])
      .describe('dotted config keys (e.g. features.dm) admins may not change at runtime: the file or environment value always holds'),
    reload_seconds: int(2, 1, 300).describe(
      'integer from 1 to 300: how often each process looks for settings saved by another process (Redis, when configured, tells them at once)',
    ),
  })
  .strict()
  .prefault({});

export const configSchema = z
  .object({
    enabled: bool(true),
    demo: z
      .boolean()
      .default(true)
      .describe(
        'true or false; with host.adapter = demo it signs anyone in and seeds a demo school, so it refuses to start while host.jwt_secret, host.app_key or a MySQL host.database_url is set',
      ),
    features: featuresSchema,
    database: databaseSchema,
    redis: z
      .object({ url: optStr('a redis:// URL; unset for the database queue and per-process rate limits') })
      .strict()
      .prefault({}),
    queue: z
      .object({
        driver: z.enum(['database', 'bullmq']).default('database').describe('database | bullmq (needs redis.url)'),
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - only, 1 to 64')
          .default('communities:jobs')
          .describe('key prefix of the BullMQ queues in Redis (bullmq driver); one per installation sharing a Redis'),
        /** Milliseconds before a failed job's first retry; doubled for each later one, at most 10 minutes. */
        retry_backoff_ms: int(2000, 10, 600_000),
        /** Jobs of one kind one worker process runs at once (bullmq driver). */
        concurrency: int(1, 1, 64),
      })
      .strict()
      .prefault({}),
    events: z
      .object({
        /** Days a delivered domain event stays in the outbox (`event_outbox`) before it is pruned. */
        retention_days: int(7, 1, 3650),
        /** Deliveries of one event to one subscriber before it is parked (see `communities events:status`). */
        max_attempts: int(8, 1, 100),
        /** Seconds a process delivers for a subscriber before another may take over if it stops renewing (crash). */
        lease_seconds: int(15, 2, 600),
        /**
         * Milliseconds durable subscribers (points, rollups, notifications, moderation thresholds)
         * wait after a commit, to take that window's events in one page (0: at once). Local
         * handlers (socket revocations, caches) run right after the commit either way.
         */
        linger_ms: int(100, 0, 60_000),
      })
      .strict()
      .prefault({}),
    http: httpSchema,
    host: hostSchema,
    integration: integrationSchema,
    communities: communitiesSchema,
    admin_settings: adminSettingsSchema,
    chat: chatSchema,
    dm: dmSchema,
    file_scanner: fileScannerSchema,
    storage: storageSchema,
    moderation: moderationSchema,
    gamification: gamificationSchema,
    heatmap: heatmapSchema,
    notifications: notificationsSchema,
    pricing: pricingSchema,
    rate_limits: rateLimitsSchema,
    search: searchSchema,
    log_level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('fatal | error | warn | info | debug | trace | silent'),
  })
  .strict();

export type CommunitiesConfig = z.infer<typeof configSchema>;
export type CommunitiesConfigInput = z.input<typeof configSchema>;

/**
 * Features a client must honour, as `GET /api/communities/features` returns them. A flag is true
 * only when the config enables it and this server serves it (its routes are registered, or its
 * code runs): a flag whose code does not exist yet is false whatever the config says.
 */
export const featuresResponseSchema = z.object({
  enabled: z.boolean(),
  demo: z.boolean(),
  features: z.record(z.enum(FEATURE_NAMES), z.boolean()),
  limits: z.object({
    max_message_length: z.number().int(),
    max_attachments_per_message: z.number().int(),
    max_file_size: z.number().int(),
    allowed_mimetypes: z.array(z.string()),
    max_group_participants: z.number().int(),
    /** Who may start a DM with whom (dm.allow_from); admins may always. */
    dm_allow_from: z.enum(['everyone', 'shared_community', 'nobody']),
  }),
  realtime: z.object({
    driver: z.enum(['broadcast', 'redis', 'pusher', 'database']),
    key: z.string(),
    ws_host: z.string().nullable(),
    ws_port: z.number().int().nullable(),
    ws_path: z.string(),
    force_tls: z.boolean(),
    cluster: z.string().nullable(),
    auth_endpoint: z.string(),
    channel_prefix: z.string(),
  }),
  login_url: z.string(),
  /** How prices are shown and sold: the school's currency and locale (Intl.NumberFormat), and the checkout adapter. */
  pricing: z.object({
    currency: z.string(),
    locale: z.string(),
    checkout: z.enum(['rocketlms', 'manual']),
  }),
});
export type FeaturesResponse = z.infer<typeof featuresResponseSchema>;
