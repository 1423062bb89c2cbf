import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ConfigError, envOverrides, loadConfig, parseConfig } from './config';

const noFile = join(tmpdir(), 'communities-no-such-config.json');

describe('config', () => {
  it('gives a working embedded setup with no file and no environment', () => {
    const c = loadConfig({ env: {} });
    expect(c.database.url).toMatch(/^sqlite:/);
    expect(c.features.central_feed).toBe(true);
    expect(c.chat.max_message_length).toBe(4000);
    expect(c.gamification.level_thresholds[0]).toBe(0);
    expect(c.host.adapter).toBe('demo');
  });

  it('lets environment variables override keys, parsing JSON values', () => {
    const env = {
      COMMUNITIES__CHAT__MAX_MESSAGE_LENGTH: '2000',
      COMMUNITIES__FEATURES__DM: 'false',
      COMMUNITIES__MODERATION__BAD_WORDS: '["darn","heck"]',
      DATABASE_URL: 'mysql://root@127.0.0.1:3306/lms',
      PORT: '9000',
    };
    expect(envOverrides(env)).toMatchObject({ chat: { max_message_length: 2000 }, features: { dm: false } });
    const c = loadConfig({ env });
    expect(c.chat.max_message_length).toBe(2000);
    expect(c.features.dm).toBe(false);
    expect(c.moderation.bad_words).toEqual(['darn', 'heck']);
    expect(c.database.url).toBe('mysql://root@127.0.0.1:3306/lms');
    expect(c.http.port).toBe(9000);
  });

  it('reads the file and lets the environment win over it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'communities.config.json');
    writeFileSync(file, JSON.stringify({ chat: { max_message_length: 500 }, pricing: { default_currency: 'GBP' } }));
    const c = loadConfig({ file, env: { COMMUNITIES__CHAT__MAX_MESSAGE_LENGTH: '600' } });
    expect(c.chat.max_message_length).toBe(600);
    expect(c.pricing.default_currency).toBe('GBP');
  });

  it('names the key, the problem, the value and the accepted form of a bad value', () => {
    expect(() => parseConfig({ chat: { max_message_length: 0 } })).toThrow(ConfigError);
    try {
      parseConfig({ chat: { max_message_length: 0, driver: 'carrier-pigeon' }, pricing: { default_currency: 'dollars' } });
    } catch (error) {
      const e = error as ConfigError;
      expect(e.message).toContain('chat.max_message_length');
      expect(e.message).toContain('(got 0)');
      expect(e.message).toContain('Accepted: integer from 1 to 100000');
      expect(e.message).toContain('chat.driver');
      expect(e.message).toContain('Accepted: broadcast (built-in gateway, one process) | redis');
      expect(e.message).toContain('pricing.default_currency');
      expect(e.problems.map((p) => p.key).sort()).toEqual(['chat.driver', 'chat.max_message_length', 'pricing.default_currency']);
    }
  });

  it('refuses unknown keys, so a typo does not silently do nothing', () => {
    expect(() => parseConfig({ featurez: {} })).toThrow(/featurez/);
    expect(() => parseConfig({ features: { dms: true } })).toThrow(/features\.dms/);
  });

  it('refuses level thresholds that do not increase', () => {
    expect(() => parseConfig({ gamification: { level_thresholds: [0, 10, 5] } })).toThrow(
      /gamification\.level_thresholds.*must increase strictly/s,
    );
  });

  it('refuses a config file that is named but missing', () => {
    expect(() => loadConfig({ file: noFile, env: {} })).toThrow(/does not exist/);
  });

  it('stops start-up with a message naming the key (the CLI exits 78)', () => {
    const cli = join(import.meta.dirname, '../cli/main.ts');
    const result = spawnSync(process.execPath, ['--import', 'tsx', cli, 'serve'], {
      env: {
        ...process.env,
        COMMUNITIES_CONFIG: '',
        COMMUNITIES__HTTP__PORT: '"eighty"',
        COMMUNITIES__DATABASE__URL: 'sqlite::memory:',
      },
      cwd: join(import.meta.dirname, '../../../..'),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('http.port');
    expect(result.stderr).toContain('Accepted: integer from 0 to 65535');
  });
});
