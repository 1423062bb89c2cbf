import {
  gamificationRulesSchema,
  type CommunitiesConfig,
  type GamificationRules,
  type adminGamificationPatchSchema,
} from '@communities/contract';
import type { z } from 'zod';

import type { DialectName } from '../platform/db/connect';
import type { DbHandle } from '../platform/db/transaction';
import { invalid } from '../platform/errors';

const SITE = 'site';
const communityScope = (id: number) => `community:${id}`;
/** How long another process's edit may take to bite; this process's own edits bite at once. */
const TTL_MS = 2000;

type Patch = z.output<typeof adminGamificationPatchSchema>;

/**
 * The rules in force: the config file's `gamification` values, overridden by what site admins
 * saved at runtime (scope `site` in `gamification_settings`), validated by the same schema.
 * Owners' per-community scales live beside them (scope `community:<id>`).
 */
export class GamificationSettings {
  private cached: { at: number; value: Promise<{ rules: GamificationRules; updatedAt: string | null }> } | null = null;
  private scales = new Map<number, { at: number; value: Promise<number> }>();

  constructor(
    private readonly db: DbHandle,
    private readonly dialect: DialectName,
    private readonly config: CommunitiesConfig['gamification'],
    private readonly now: () => Date,
  ) {}

  private base(): GamificationRules {
    const { points, anti_farming, milestones, level_thresholds, badges } = this.config;
    return { points, anti_farming, milestones, level_thresholds, badges };
  }

  async current(): Promise<{ rules: GamificationRules; updatedAt: string | null }> {
    const t = Date.now();
    if (this.cached && t - this.cached.at < TTL_MS) return this.cached.value;
    const value = (async () => {
      const row = await this.db
        .selectFrom('gamification_settings')
        .select(['data', 'updated_at'])
        .where('scope', '=', SITE)
        .executeTakeFirst();
      if (!row) return { rules: this.base(), updatedAt: null };
      const parsed = gamificationRulesSchema.safeParse(merge(this.base(), JSON.parse(row.data) as Patch));
      return { rules: parsed.success ? parsed.data : this.base(), updatedAt: row.updated_at };
    })();
    this.cached = { at: t, value };
    value.catch(() => (this.cached = null));
    return value;
  }

  async rules(): Promise<GamificationRules> {
    return (await this.current()).rules;
  }

  /** Saves an admin's edit: merged over what is stored, validated as a whole, stored whole. */
  async update(patch: Patch, userId: number): Promise<{ rules: GamificationRules; updatedAt: string }> {
    const row = await this.db.selectFrom('gamification_settings').select('data').where('scope', '=', SITE).executeTakeFirst();
    const stored = row ? (JSON.parse(row.data) as Patch) : {};
    const next = mergePatch(stored, patch);
    const parsed = gamificationRulesSchema.safeParse(merge(this.base(), next));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalid(`body.${issue.path.join('.')}`, issue.message, issue.code);
    }
    const at = this.now().toISOString();
    await this.upsert(SITE, JSON.stringify(next), userId, at);
    this.cached = null;
    return { rules: parsed.data, updatedAt: at };
  }

  async scale(communityId: number): Promise<number> {
    const t = Date.now();
    const hit = this.scales.get(communityId);
    if (hit && t - hit.at < TTL_MS) return hit.value;
    const value = (async () => {
      const row = await this.db
        .selectFrom('gamification_settings')
        .select('data')
        .where('scope', '=', communityScope(communityId))
        .executeTakeFirst();
      const s = row ? Number((JSON.parse(row.data) as { scale?: number }).scale ?? 1) : 1;
      // Bounds may have narrowed since it was saved: the config's bounds always hold.
      return Math.min(this.config.community_scale.max, Math.max(this.config.community_scale.min, s));
    })();
    if (this.scales.size > 10_000) this.scales.clear();
    this.scales.set(communityId, { at: t, value });
    return value;
  }

  async setScale(communityId: number, scale: number, userId: number): Promise<number> {
    const { min, max } = this.config.community_scale;
    if (scale < min || scale > max) throw invalid('body.scale', `Must be from ${min} to ${max}`, 'out_of_bounds');
    await this.upsert(communityScope(communityId), JSON.stringify({ scale }), userId, this.now().toISOString());
    this.scales.delete(communityId);
    return scale;
  }

  private async upsert(scope: string, data: string, userId: number, at: string): Promise<void> {
    const insert = this.db.insertInto('gamification_settings').values({ scope, data, updated_by: userId, updated_at: at });
    const set = { data, updated_by: userId, updated_at: at };
    await (
      this.dialect === 'mysql' ? insert.onDuplicateKeyUpdate(set) : insert.onConflict((oc) => oc.column('scope').doUpdateSet(set))
    ).execute();
  }
}

/** Points, caps and milestones merge key by key; thresholds and badges replace. */
function mergePatch(a: Patch, b: Patch): Patch {
  return {
    ...a,
    ...b,
    points: { ...a.points, ...b.points },
    milestones: { ...a.milestones, ...b.milestones },
    anti_farming: {
      ...a.anti_farming,
      ...b.anti_farming,
      daily_caps: { ...a.anti_farming?.daily_caps, ...b.anti_farming?.daily_caps },
    },
  };
}

function merge(base: GamificationRules, p: Patch): unknown {
  return {
    points: { ...base.points, ...p.points },
    anti_farming: {
      ...base.anti_farming,
      ...p.anti_farming,
      daily_caps: { ...base.anti_farming.daily_caps, ...p.anti_farming?.daily_caps },
    },
    milestones: { ...base.milestones, ...p.milestones },
    level_thresholds: p.level_thresholds ?? base.level_thresholds,
    badges: p.badges ?? base.badges,
  };
}
