import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type { CommunitiesConfig } from '@communities/contract';

import { dialectOf, sqlitePath } from './db/connect';

/**
 * Demo mode signs tokens and cookies the way RocketLMS would, so it needs a JWT secret and an
 * APP_KEY. When none is configured, random ones are made once and kept beside the database,
 * so demo sign-ins survive restarts. Never used with a real RocketLMS host.
 */
export function withDemoSecrets(config: CommunitiesConfig): CommunitiesConfig {
  if (!(config.demo && config.host.adapter === 'demo')) return config;
  if (config.host.jwt_secret && config.host.app_key) return config;
  const dbPath = dialectOf(config.database.url) === 'sqlite' ? sqlitePath(config.database.url) : ':memory:';
  const folder = dbPath === ':memory:' ? null : dirname(dbPath);
  const file = folder ? join(folder, 'demo-secrets.json') : null;
  let secrets: { jwt_secret: string; app_key: string } | null = null;
  if (file && existsSync(file)) secrets = JSON.parse(readFileSync(file, 'utf8')) as typeof secrets;
  if (!secrets) {
    secrets = { jwt_secret: randomBytes(32).toString('base64url'), app_key: `base64:${randomBytes(32).toString('base64')}` };
    if (file && folder) {
      mkdirSync(folder, { recursive: true });
      writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    }
  }
  return {
    ...config,
    host: { ...config.host, jwt_secret: config.host.jwt_secret ?? secrets.jwt_secret, app_key: config.host.app_key ?? secrets.app_key },
  };
}
