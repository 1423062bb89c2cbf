import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type { CommunitiesConfig } from '@communities/contract';

import { ConfigError } from './config';
import { dialectOf, sqlitePath } from './db/connect';

/**
 * Demo mode signs tokens and cookies the way RocketLMS would, so it needs a JWT secret and an
 * APP_KEY, and realtime needs a secret of its own. When none is configured, random ones are
 * made once and kept beside the database, so demo sign-ins survive restarts. Never used with
 * a real RocketLMS host.
 */
export function withDemoSecrets(config: CommunitiesConfig): CommunitiesConfig {
  if (!(config.demo && config.host.adapter === 'demo')) return config;
  const needChat = config.chat.app_secret === DEFAULT_APP_SECRET;
  if (config.host.jwt_secret && config.host.app_key && !needChat) return config;
  const dbPath = dialectOf(config.database.url) === 'sqlite' ? sqlitePath(config.database.url) : ':memory:';
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
  return {
    ...config,
    host: { ...config.host, jwt_secret: config.host.jwt_secret ?? complete.jwt_secret, app_key: config.host.app_key ?? complete.app_key },
    chat: { ...config.chat, app_secret: needChat ? complete.chat_app_secret : config.chat.app_secret },
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
 * Outside demo mode a realtime secret that everyone knows would let anyone sign themselves into
 * private channels and DMs, or publish through the gateway's HTTP API: refuse to start.
 */
export function assertRealSecrets(config: CommunitiesConfig): void {
  if (config.demo && config.host.adapter === 'demo') return;
  if (config.chat.driver !== 'database' && config.chat.app_secret === DEFAULT_APP_SECRET)
    throw new ConfigError(
      'Invalid configuration:\n  - chat.app_secret: still the shipped default, which is public. Accepted: a long random string (the same on every process).',
      [{ key: 'chat.app_secret', problem: 'still the shipped default', accepted: 'a long random string', value: undefined }],
    );
}
