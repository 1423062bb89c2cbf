import { readFileSync } from 'node:fs';

import {
  SEVERITIES,
  communityWordsSchema,
  type CommunityWords,
  type FilterAction,
  type Severity,
  type WordList,
} from '@communities/contract';

import type { ModerationDeps } from './deps';
import { WordFilter, type FilterTerm } from './filter';

/** How often a process asks the database whether a list changed on another node. */
export const VERSION_CHECK_MS = 2000;

export interface Compiled {
  filter: WordFilter;
  actions: CommunityWords['actions'];
  version: string;
  checkedAt: number;
}

/** `moderation.bad_words`: an array, or a file with one `word[,severity[,replacement]]` a line (# comments). */
export function configTerms(source: string[] | string): FilterTerm[] {
  const lines = Array.isArray(source) ? source : readFileSync(source, 'utf8').split(/\r?\n/);
  const out: FilterTerm[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [word, sev, replacement] = Array.isArray(source) ? [line] : line.split(',').map((s) => s.trim());
    const severity = (SEVERITIES as readonly string[]).includes(sev ?? '') ? (sev as Severity) : 'medium';
    out.push({ word: word!, severity, replacement: replacement || null });
  }
  return out;
}

/**
 * The compiled word lists: the global one (config + `bad_words`) and each community's (global +
 * its own words, minus its allow-list). Each is compiled once and kept; a write here drops it
 * at once, and every process re-reads a cheap version (row count and last change) at most every
 * VERSION_CHECK_MS, so a change made on another node bites there within that time.
 */
export class WordLists {
  private readonly fromConfig: FilterTerm[];
  private global: Promise<Compiled> | null = null;
  private readonly communities = new Map<number, Promise<Compiled>>();

  constructor(private readonly ctx: Pick<ModerationDeps, 'config' | 'db'>) {
    this.fromConfig = configTerms(ctx.config.moderation.bad_words);
  }

  private get db() {
    return this.ctx.db.db;
  }

  private async globalVersion(): Promise<string> {
    const r = await this.db
      .selectFrom('bad_words')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('at'), eb.fn.max('id').as('max_id')])
      .executeTakeFirst();
    return `${Number(r?.n ?? 0)}:${String(r?.at ?? '')}:${Number(r?.max_id ?? 0)}`;
  }

  private async communityVersion(communityId: number): Promise<string> {
    const r = await this.db
      .selectFrom('community_word_lists')
      .select('updated_at')
      .where('community_id', '=', communityId)
      .executeTakeFirst();
    return `${await this.globalVersion()}|${r?.updated_at ?? ''}`;
  }

  private async globalTerms(): Promise<FilterTerm[]> {
    const rows = await this.db.selectFrom('bad_words').select(['word', 'severity', 'replacement']).execute();
    return [...this.fromConfig, ...rows.map((r) => ({ word: r.word, severity: r.severity as Severity, replacement: r.replacement }))];
  }

  private async compileGlobal(): Promise<Compiled> {
    const version = await this.globalVersion();
    return { filter: new WordFilter(await this.globalTerms()), actions: {}, version, checkedAt: Date.now() };
  }

  private async compileCommunity(communityId: number): Promise<Compiled> {
    const version = await this.communityVersion(communityId);
    const own = await this.own(communityId);
    const terms = [...(await this.globalTerms()), ...own.words];
    return { filter: new WordFilter(terms, own.allow), actions: own.actions, version, checkedAt: Date.now() };
  }

  /** Whether a cached compilation is still current; re-reads the version at most every VERSION_CHECK_MS. */
  private async fresh(c: Compiled, version: () => Promise<string>): Promise<boolean> {
    if (Date.now() - c.checkedAt < VERSION_CHECK_MS) return true;
    c.checkedAt = Date.now();
    return (await version()) === c.version;
  }

  /** The filter (and per-severity actions) that applies in a community, or the global one. */
  async forCommunity(communityId: number | null): Promise<Compiled> {
    if (communityId === null) {
      if (this.global && (await this.fresh(await this.global, () => this.globalVersion()))) return this.global;
      this.global = this.compileGlobal();
      this.global.catch(() => (this.global = null));
      return this.global;
    }
    const hit = this.communities.get(communityId);
    if (hit && (await this.fresh(await hit, () => this.communityVersion(communityId)))) return hit;
    if (this.communities.size > 5000) this.communities.clear();
    const next = this.compileCommunity(communityId);
    this.communities.set(communityId, next);
    next.catch(() => this.communities.delete(communityId));
    return next;
  }

  /** This process changed a list: drop what it compiled (other processes notice through the version). */
  invalidate(communityId?: number): void {
    if (communityId === undefined) {
      this.global = null;
      this.communities.clear();
    } else this.communities.delete(communityId);
  }

  /** A community's own lists as stored (empty when it has none). */
  async own(communityId: number): Promise<CommunityWords> {
    const row = await this.db.selectFrom('community_word_lists').selectAll().where('community_id', '=', communityId).executeTakeFirst();
    if (!row) return { words: [], allow: [], actions: {} };
    return communityWordsSchema.parse({
      words: JSON.parse(row.words) as unknown,
      allow: JSON.parse(row.allow) as unknown,
      actions: JSON.parse(row.actions) as unknown,
    });
  }

  /** The action for a match of this severity: the community's, else moderation.actions.by_severity, else on_detect. */
  actionFor(severity: Severity, communityActions: CommunityWords['actions']): FilterAction {
    const a = this.ctx.config.moderation.actions;
    return communityActions[severity] ?? a.by_severity[severity] ?? a.on_detect;
  }

  /** The list handed to clients for a local warning. */
  async clientList(communityId: number | null): Promise<WordList> {
    const [compiled, own] = await Promise.all([this.forCommunity(communityId), communityId ? this.own(communityId) : null]);
    const terms = await this.globalTerms();
    const allow = new Set((own?.allow ?? []).map((w) => w.toLowerCase()));
    const words = [...terms, ...(own?.words ?? [])]
      .filter((t) => !allow.has(t.word.toLowerCase()))
      .map((t) => ({ word: t.word.toLowerCase(), severity: t.severity }));
    return {
      version: compiled.version,
      replace_char: this.ctx.config.moderation.replace_char,
      words: [...new Map(words.map((w) => [w.word, w])).values()],
      allow: [...allow],
    };
  }
}
