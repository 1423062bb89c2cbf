import {
  configSchema,
  RUNTIME_SETTING_KEYS,
  type AdminSetting,
  type CommunitiesConfig,
  type RuntimeSettingKey,
} from '@communities/contract';
import type { Redis } from 'ioredis';

import type { Clock } from '../platform/clock';
import type { DialectName } from '../platform/db/connect';
import type { DbHandle } from '../platform/db/transaction';
import { inTransaction } from '../platform/db/transaction';
import { AppError } from '../platform/errors';
import type { Logger } from '../platform/logger';

import type { AdminAudit } from './audit';

const getPath = (obj: unknown, key: string): unknown =>
  key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);

/** Sets a leaf in place, so every holder of a parent object (services keep config sections) sees it. */
function setPath(obj: object, key: string, value: unknown): void {
  const parts = key.split('.');
  const last = parts.pop()!;
  let o = obj as Record<string, unknown>;
  for (const k of parts) o = o[k] as Record<string, unknown>;
  o[last] = value;
}

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Each key's accepted form, from the config schema's descriptions. */
function describe(key: string): string {
  let s: unknown = configSchema;
  for (const k of key.split('.')) {
    // unwrap defaults, prefaults, optionals and pipes down to the object holding `k`
    for (let i = 0; i < 6 && s && !(s as { shape?: unknown }).shape; i++) {
      const def = (s as { def?: { innerType?: unknown; in?: unknown } }).def;
      s = def?.innerType ?? def?.in;
    }
    s = (s as { shape?: Record<string, unknown> } | undefined)?.shape?.[k];
  }
  return (s as { description?: string } | undefined)?.description ?? '';
}

/** Redis channel other processes listen on for "settings changed". */
const channelOf = (prefix: string) => `${prefix}:addon-settings`;

interface Row {
  key: string;
  value: string | null;
  updated_by: number | null;
  updated_at: string;
}

/**
 * Runtime-editable config (the admin area's Settings): rows of `addon_settings` override the
 * config file's values for the keys in RUNTIME_SETTING_KEYS, validated by the config schema as
 * a whole. The file or environment gives the defaults and may lock keys (`admin_settings.locked`).
 * Values are applied to the live config object in place, so code that reads config when it
 * acts follows at once. Every process reloads when another saves: it polls the table's
 * (key, updated_at) signature every `admin_settings.reload_seconds`, and with Redis it is told at once.
 */
export class AddonSettings {
  private readonly defaults = new Map<RuntimeSettingKey, unknown>();
  private signature = '';
  private rows: Row[] = [];
  private timer: NodeJS.Timeout | null = null;
  private subscriber: Redis | null = null;
  private loading: Promise<void> | null = null;
  readonly featuresOffAtBoot: string[];

  constructor(
    private readonly deps: {
      config: CommunitiesConfig;
      db: DbHandle;
      dialect: DialectName;
      clock: Clock;
      logger: Logger;
      redis: Redis | null;
      audit: AdminAudit;
    },
  ) {
    for (const key of RUNTIME_SETTING_KEYS) this.defaults.set(key, clone(getPath(deps.config, key)));
    this.featuresOffAtBoot = Object.entries(deps.config.features)
      .filter(([, on]) => !on)
      .map(([f]) => f);
  }

  private get config() {
    return this.deps.config;
  }

  locked(key: string): boolean {
    return this.config.admin_settings.locked.includes(key);
  }

  /** Reads the table and applies it to the live config (only when it changed, unless forced). */
  async reload(force = false): Promise<void> {
    if (this.loading) return this.loading;
    this.loading = (async () => {
      const rows = await this.deps.db.selectFrom('addon_settings').select(['key', 'value', 'updated_by', 'updated_at']).execute();
      const signature = rows
        .map((r) => `${r.key}@${r.updated_at}`)
        .sort()
        .join('|');
      if (!force && signature === this.signature) return;
      this.apply(rows);
      this.signature = signature;
      this.rows = rows;
    })().finally(() => (this.loading = null));
    return this.loading;
  }

  /** The values in force: defaults, with stored values over unlocked keys (each stored value kept only if the whole stays valid). */
  private resolve(rows: Row[]): Map<RuntimeSettingKey, unknown> {
    const out = new Map<RuntimeSettingKey, unknown>(this.defaults);
    for (const r of rows) {
      const key = r.key as RuntimeSettingKey;
      if (!this.defaults.has(key) || r.value === null || this.locked(key)) continue;
      try {
        out.set(key, JSON.parse(r.value));
      } catch {
        this.deps.logger.warn({ key }, 'unreadable addon setting ignored');
      }
    }
    return out;
  }

  private candidate(values: Map<RuntimeSettingKey, unknown>): CommunitiesConfig {
    const c = clone(this.config);
    for (const [k, v] of values) setPath(c, k, clone(v));
    return c;
  }

  private apply(rows: Row[]): void {
    let values = this.resolve(rows);
    const parsed = configSchema.safeParse(this.candidate(values));
    if (!parsed.success) {
      // A stored value the (possibly newer) schema refuses: fall back to the file's values for those keys.
      const bad = new Set(parsed.error.issues.map((i) => i.path.join('.')));
      values = new Map([...values].map(([k, v]) => [k, [...bad].some((b) => b === k || b.startsWith(`${k}.`)) ? this.defaults.get(k) : v]));
      this.deps.logger.warn({ issues: [...bad] }, 'addon settings the config schema refuses were ignored');
    }
    for (const [k, v] of values) if (!same(getPath(this.config, k), v)) setPath(this.config, k, clone(v));
  }

  /** Starts watching for other processes' changes (poll; Redis when configured). */
  async start(): Promise<void> {
    await this.reload(true);
    const ms = this.config.admin_settings.reload_seconds * 1000;
    this.timer = setInterval(
      () => void this.reload().catch((e: unknown) => this.deps.logger.warn({ err: e }, 'settings reload failed')),
      ms,
    );
    this.timer.unref();
    if (this.deps.redis) {
      try {
        this.subscriber = this.deps.redis.duplicate();
        this.subscriber.on('error', () => {});
        this.subscriber.on('message', () => void this.reload().catch(() => {}));
        await this.subscriber.subscribe(channelOf(this.config.queue.prefix));
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'settings: Redis notifications unavailable, polling only');
      }
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const sub = this.subscriber;
    this.subscriber = null;
    if (sub) sub.disconnect();
  }

  async list(): Promise<AdminSetting[]> {
    await this.reload();
    const byKey = new Map(this.rows.map((r) => [r.key, r]));
    return RUNTIME_SETTING_KEYS.map((key) => {
      const row = byKey.get(key);
      const stored = row && row.value !== null && !this.locked(key);
      return {
        key,
        value: clone(getPath(this.config, key)),
        default_value: clone(this.defaults.get(key)),
        source: stored ? ('database' as const) : ('config' as const),
        locked: this.locked(key),
        description: describe(key),
        updated_at: row?.updated_at ?? null,
        updated_by: null,
        _by: row?.updated_by ?? null,
      };
    });
  }

  /** Saves an admin's changes: validated as a whole config, stored, audit-logged, applied here at once and announced. */
  async update(values: Partial<Record<RuntimeSettingKey, unknown>>, userId: number): Promise<void> {
    const keys = Object.keys(values) as RuntimeSettingKey[];
    const lockedKeys = keys.filter((k) => this.locked(k));
    if (lockedKeys.length)
      throw new AppError('conflict', `Locked by the configuration file: ${lockedKeys.join(', ')}`, {
        details: { reason: 'locked', keys: lockedKeys },
      });
    await this.reload(true);
    const current = this.resolve(this.rows);
    for (const k of keys) current.set(k, values[k] === null ? this.defaults.get(k) : values[k]);
    const parsed = configSchema.safeParse(this.candidate(current));
    if (!parsed.success) {
      throw new AppError('validation_failed', 'The request is not valid', {
        issues: parsed.error.issues.map((i) => {
          const path = i.path.join('.');
          const key = keys.find((k) => path === k || path.startsWith(`${k}.`)) ?? path;
          return { path: `body.values.${key}${path.length > key.length ? path.slice(key.length) : ''}`, code: i.code, message: i.message };
        }),
      });
    }
    const now = this.deps.clock.now().toISOString();
    const before = new Map(keys.map((k) => [k, clone(getPath(this.config, k))]));
    await inTransaction(this.deps.db, async (trx) => {
      for (const k of keys) {
        const v = values[k];
        // null: back to the file's value; a value equal to it is stored too (it stays if the file changes).
        const value = v === null ? null : JSON.stringify(getPath(parsed.data, k));
        const set = { value, updated_by: userId, updated_at: now };
        const insert = trx.insertInto('addon_settings').values({ key: k, ...set });
        await (
          this.deps.dialect === 'mysql' ? insert.onDuplicateKeyUpdate(set) : insert.onConflict((oc) => oc.column('key').doUpdateSet(set))
        ).execute();
        await this.deps.audit.write(trx, {
          actorId: userId,
          onBehalfOf: null,
          communityId: null,
          action: 'settings.update',
          detail: { key: k, from: before.get(k), to: v === null ? this.defaults.get(k) : getPath(parsed.data, k), reset: v === null },
        });
      }
    });
    await this.reload(true);
    if (this.deps.redis) await this.deps.redis.publish(channelOf(this.config.queue.prefix), now).catch(() => 0);
  }
}
