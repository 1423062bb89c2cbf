import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { configSchema, type CommunitiesConfig } from '@communities/contract';
import type { z } from 'zod';

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: Array<{ key: string; problem: string; accepted: string; value: unknown }>,
  ) {
    super(message);
  }
}

/**
 * Environment overrides: `COMMUNITIES__<KEY>__<SUBKEY>=value`, e.g.
 * `COMMUNITIES__CHAT__MAX_MESSAGE_LENGTH=2000` or `COMMUNITIES__FEATURES__DM=false`.
 * Values are read as JSON when they parse (numbers, booleans, arrays), else as strings.
 * Common deployment variables are honoured as aliases (see ENV_ALIASES).
 */
export const ENV_PREFIX = 'COMMUNITIES__';
export const ENV_ALIASES: Record<string, string> = {
  DATABASE_URL: 'database.url',
  REDIS_URL: 'redis.url',
  HOST: 'http.host',
  PORT: 'http.port',
  APP_KEY: 'host.app_key',
  APP_NAME: 'host.app_name',
  JWT_SECRET: 'host.jwt_secret',
};

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function parseEnvValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export function envOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(ENV_ALIASES)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') setPath(out, path.split('.'), path === 'http.port' ? parseEnvValue(raw) : raw);
  }
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).toLowerCase().split('__').filter(Boolean);
    if (path.length > 0) setPath(out, path, parseEnvValue(raw));
  }
  return out;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? merge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; shape?: Record<string, z.ZodType> };
const defOf = (schema: z.ZodType): Def => (schema as unknown as { def: Def }).def;

/** Steps through defaults, optionals and pipes to the schema that carries a description. */
function unwrap(schema: z.ZodType): z.ZodType {
  let cur = schema;
  for (let i = 0; i < 10 && !cur.description; i++) {
    const def = defOf(cur);
    const next = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!next) break;
    cur = next;
  }
  return cur;
}

/** The object shape under defaults and optionals, if the schema is an object. */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let cur = schema;
  for (let i = 0; i < 10; i++) {
    const def = defOf(cur);
    if (def.shape) return def.shape;
    if (!def.innerType) return undefined;
    cur = def.innerType;
  }
  return undefined;
}

/** Finds the description (our "accepted form") of the schema at a config path. */
function describeAt(schema: z.ZodType, path: PropertyKey[]): string | undefined {
  let node: z.ZodType | undefined = schema;
  for (const key of path) {
    if (!node) return undefined;
    const shape = shapeOf(node);
    if (!shape || typeof key !== 'string') return unwrap(node).description;
    node = shape[key];
  }
  return node ? unwrap(node).description : undefined;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

export function parseConfig(input: unknown, source = 'configuration'): CommunitiesConfig {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const keyPath = issue.path;
    const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const key = [...keyPath, ...unknownKeys.slice(0, 1)].map(String).join('.') || '(root)';
    return {
      key,
      problem:
        issue.code === 'unrecognized_keys' ? `unknown key${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.join(', ')}` : issue.message,
      accepted:
        issue.code === 'unrecognized_keys'
          ? 'remove it (see docs/CONFIG.md for the keys)'
          : (describeAt(configSchema, keyPath) ?? 'see docs/CONFIG.md'),
      value: valueAt(input, keyPath),
    };
  });
  const lines = problems.map(
    (p) => `  - ${p.key}: ${p.problem}${p.value === undefined ? '' : ` (got ${JSON.stringify(p.value)})`}. Accepted: ${p.accepted}.`,
  );
  throw new ConfigError(`Invalid ${source}:\n${lines.join('\n')}`, problems);
}

export interface LoadConfigOptions {
  /** Path of the config file; defaults to $COMMUNITIES_CONFIG or ./communities.config.json. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Applied last, for tests and the CLI. */
  overrides?: Record<string, unknown>;
}

export function loadConfig(options: LoadConfigOptions = {}): CommunitiesConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? (env.COMMUNITIES_CONFIG || 'communities.config.json');
  const path = resolve(file);
  let fromFile: Record<string, unknown> = {};
  if (existsSync(path)) {
    try {
      fromFile = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`Invalid configuration file ${path}: not valid JSON (${(error as Error).message}).`, []);
    }
  } else if (options.file ?? env.COMMUNITIES_CONFIG) {
    throw new ConfigError(`Configuration file ${path} does not exist.`, []);
  }
  const merged = merge(merge(fromFile, envOverrides(env)), options.overrides ?? {});
  return parseConfig(merged, existsSync(path) ? `configuration (${path} + environment)` : 'configuration (environment)');
}
