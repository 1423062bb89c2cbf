import { describe, expect, it } from 'vitest';

import { envOverrides, ConfigError, parseConfig } from './config';
import { assertDemoIsolated, withDemoSecrets } from './demo-secrets';

/** The configuration these environment variables give, with no config file. */
const config = (env: Record<string, string>) => parseConfig(envOverrides(env));

const problemKeys = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.key);
    throw error;
  }
  return [];
};

describe('demo mode next to a real RocketLMS', () => {
  it('refuses to start with the defaults when a host database or host secret is configured, naming the keys', () => {
    const env = { DATABASE_URL: 'mysql://root@127.0.0.1:3306/lms', JWT_SECRET: 'real-jwt-secret', APP_KEY: 'base64:abc' };
    const keys = problemKeys(() => assertDemoIsolated(config({ ...env, COMMUNITIES__HOST__DATABASE_URL: 'mysql://root@db/lms' })));
    expect(keys).toEqual(['host.database_url', 'host.jwt_secret', 'host.app_key']);
    expect(problemKeys(() => assertDemoIsolated(config({ JWT_SECRET: 'x' })))).toEqual(['host.jwt_secret']);
    expect(problemKeys(() => assertDemoIsolated(config({ COMMUNITIES__DEMO: 'true', APP_KEY: 'base64:abc' })))).toEqual(['host.app_key']);
  });

  it('lets the real host run with demo off, and the demo run with its own (or a sqlite: host) database', () => {
    const real = { COMMUNITIES__HOST__ADAPTER: 'rocketlms', COMMUNITIES__DEMO: 'false', JWT_SECRET: 's', APP_KEY: 'base64:abc' };
    expect(problemKeys(() => assertDemoIsolated(config(real)))).toEqual([]);
    expect(problemKeys(() => assertDemoIsolated(config({})))).toEqual([]);
    expect(problemKeys(() => assertDemoIsolated(config({ COMMUNITIES__HOST__DATABASE_URL: 'sqlite:///tmp/demo-host.sqlite' })))).toEqual(
      [],
    );
  });
});

describe('demo secrets on a server database', () => {
  const server = { DATABASE_URL: 'mysql://root@127.0.0.1:3306/demo' };

  it('needs chat.app_secret set, rather than making random secrets each process', () => {
    expect(problemKeys(() => withDemoSecrets(config(server)))).toEqual(['chat.app_secret']);
  });

  it('derives the same secrets on every node and restart from chat.app_secret, distinct from it and from each other', () => {
    const a = withDemoSecrets(config({ ...server, COMMUNITIES__CHAT__APP_SECRET: 'shared-cluster-secret-0123456789' }));
    const b = withDemoSecrets(config({ ...server, COMMUNITIES__CHAT__APP_SECRET: 'shared-cluster-secret-0123456789' }));
    const other = withDemoSecrets(config({ ...server, COMMUNITIES__CHAT__APP_SECRET: 'another-cluster-secret-987654321' }));
    expect(a.host.jwt_secret).toBeTruthy();
    expect(a.host).toMatchObject({ jwt_secret: b.host.jwt_secret, app_key: b.host.app_key });
    expect(Buffer.from(a.host.app_key!.replace(/^base64:/, ''), 'base64')).toHaveLength(32);
    expect(new Set([a.host.jwt_secret, a.host.app_key, a.chat.app_secret]).size).toBe(3);
    expect(other.host.jwt_secret).not.toBe(a.host.jwt_secret);
  });
});
