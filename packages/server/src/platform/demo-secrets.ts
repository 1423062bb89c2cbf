import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type { CommunitiesConfig } from '@communities/contract';

import { ConfigError } from './config';
import { dialectOf, sqlitePath } from './db/connect';

const isDemo = (config: CommunitiesConfig) => config.demo && config.host.adapter === 'demo';

/**
 * Demo mode signs tokens and cookies the way RocketLMS would, so it needs a JWT secret and an
 * APP_KEY, and realtime needs a secret of its own. Never used with a real RocketLMS host (see
 * assertDemoIsolated), so these are the demo's own:
 * - on SQLite, random ones made once and kept beside the database file, so demo sign-ins
 *   survive restarts;
 * - on a server database (MariaDB, PostgreSQL), derived from `chat.app_secret`, which must then
 *   be set (the same on every node): every node and every restart signs and checks with the
 *   same secrets, and nothing about them is stored. Refuses to start when it is not set.
 */
export function withDemoSecrets(config: CommunitiesConfig): CommunitiesConfig {
  if (!isDemo(config)) return config;
  const needChat = config.chat.app_secret === DEFAULT_APP_SECRET;
  if (config.host.jwt_secret && config.host.app_key && !needChat) return config;
  const secrets = dialectOf(config.database.url) === 'sqlite' ? sqliteSecrets(config) : derivedSecrets(config);
  return {
    ...config,
    host: { ...config.host, jwt_secret: config.host.jwt_secret ?? secrets.jwt_secret, app_key: config.host.app_key ?? secrets.app_key },
    chat: { ...config.chat, app_secret: needChat ? secrets.chat_app_secret : config.chat.app_secret },
  };
}

function sqliteSecrets(config: CommunitiesConfig): DemoSecrets {
  const dbPath = sqlitePath(config.database.url);
  const folder = dbPath === ':memory:' ? null : dirname(dbPath);
  const file = folder ? join(folder, 'demo-secrets.json') : null;
  let secrets: Partial<DemoSecrets> = {};
  if (file && existsSync(file)) secrets = JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoSecrets>;
  const complete: DemoSecrets = {
    jwt_secret: secrets.jwt_secret ?? randomBytes(32).toString('base64url'),
    app_key: secrets.app_key ?? `base64:${randomBytes(32).toString('base64')}`,
    chat_app_secret: secrets.chat_app_secret ?? randomBytes(24).toString('base64url'),
  };
  if (file && folder && JSON.stringify(complete) !== JSON.stringify(secrets)) {
    mkdirSync(folder, { recursive: true });
    writeFileSync(file, JSON.stringify(complete, null, 2), { mode: 0o600 });
  }
  return complete;
}

/** One configured secret, three independent ones (HMAC under distinct labels). */
function derivedSecrets(config: CommunitiesConfig): DemoSecrets {
  const master = config.chat.app_secret;
  if (master === DEFAULT_APP_SECRET)
    throw new ConfigError(
      'Invalid configuration:\n  - chat.app_secret: demo mode on a server database (MariaDB, PostgreSQL) needs it set, the same on every node: ' +
        "the demo's sign-in secrets are derived from it, so sign-ins survive restarts and every node accepts every other's. " +
        'Accepted: a long random string (COMMUNITIES__CHAT__APP_SECRET).',
      [
        {
          key: 'chat.app_secret',
          problem: 'required for demo mode on a server database',
          accepted: 'a long random string',
          value: undefined,
        },
      ],
    );
  const derive = (label: string) => createHmac('sha256', master).update(`communities demo ${label}`).digest();
  return {
    jwt_secret: derive('jwt_secret').toString('base64url'),
    app_key: `base64:${derive('app_key').toString('base64')}`,
    chat_app_secret: master,
  };
}

interface DemoSecrets {
  jwt_secret: string;
  app_key: string;
  /** Signs realtime subscriptions (and the gateway's HTTP API): the shipped default is public. */
  chat_app_secret: string;
}

/** chat.app_secret's shipped default: anyone who read the docs knows it. */
export const DEFAULT_APP_SECRET = 'communities-secret-change-me';

/**
 * Demo mode mints admin tokens for anyone (`POST /demo/token`) and seeds demo users into the
 * host tables. With a real RocketLMS configured (its database, its JWT_SECRET or APP_KEY) that
 * would hand out real admin tokens and write into a real school: refuse to start, naming the
 * keys. A `sqlite:` host database can only be a demo school (RocketLMS runs on MySQL), so it
 * stays allowed: it is where the demo school lives when the addon runs on PostgreSQL.
 * Checks the configuration as given, before withDemoSecrets fills in the demo's own secrets.
 */
export function assertDemoIsolated(config: CommunitiesConfig): void {
  if (!isDemo(config)) return;
  const found: Array<{ key: string; env: string }> = [];
  if (config.host.database_url && !config.host.database_url.startsWith('sqlite:'))
    found.push({ key: 'host.database_url', env: 'COMMUNITIES__HOST__DATABASE_URL' });
  if (config.host.jwt_secret) found.push({ key: 'host.jwt_secret', env: 'JWT_SECRET' });
  if (config.host.app_key) found.push({ key: 'host.app_key', env: 'APP_KEY' });
  if (found.length === 0) return;
  const keys = found.map((f) => `${f.key} (${f.env})`).join(', ');
  throw new ConfigError(
    `Invalid configuration: demo mode is on (demo = true, host.adapter = demo: the defaults) but a real RocketLMS is configured: ${keys}.\n` +
      '  Demo mode would sign anyone in as an admin with that secret and seed demo users into that database.\n' +
      '  - To connect to RocketLMS: set host.adapter = rocketlms and demo = false (COMMUNITIES__HOST__ADAPTER=rocketlms COMMUNITIES__DEMO=false).\n' +
      `  - To run the demo: unset ${found.map((f) => f.key).join(', ')}.`,
    found.map((f) => ({
      key: f.key,
      problem: 'set while demo mode is on',
      accepted: 'unset in demo mode, or host.adapter = rocketlms with demo = false',
      value: undefined,
    })),
  );
}

/**
 * Outside demo mode a realtime secret that everyone knows would let anyone sign themselves into
 * private channels and DMs, or publish through the gateway's HTTP API: refuse to start.
 */
export function assertRealSecrets(config: CommunitiesConfig): void {
  if (isDemo(config)) return;
  if (config.chat.driver !== 'database' && config.chat.app_secret === DEFAULT_APP_SECRET)
    throw new ConfigError(
      'Invalid configuration:\n  - chat.app_secret: still the shipped default, which is public. Accepted: a long random string (the same on every process).',
      [{ key: 'chat.app_secret', problem: 'still the shipped default', accepted: 'a long random string', value: undefined }],
    );
}
