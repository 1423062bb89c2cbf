import { extractMentions, type ContentRejectedDetails, type FilterAction, type Severity } from '@communities/contract';

import type { ContentCheck, ContentCheckInput, ContentVerdict, Violation } from '../chat/content-check';
import { inTransaction, type Tx } from '../platform/db/transaction';

import type { ModerationDeps } from './deps';
import type { FilterMatch } from './filter';
import { RecentPosts, type RecentPost } from './recent-posts';
import type { WordLists } from './word-lists';

/** Strongest first: when several matches or rules disagree, the strictest action wins. */
const RANK: Record<FilterAction, number> = { reject: 4, hold: 3, flag: 2, censor: 1 };
const SEVERITY_RANK: Record<Severity, number> = { high: 3, medium: 2, low: 1 };
const POST_TABLES: Partial<
  Record<ContentCheckInput['target'], 'channel_messages' | 'dm_messages' | 'central_feed_items' | 'central_feed_comments'>
> = {
  channel_message: 'channel_messages',
  dm_message: 'dm_messages',
  feed_item: 'central_feed_items',
  feed_comment: 'central_feed_comments',
};
const POSTS = new Set(Object.keys(POST_TABLES));
/** How many of an author's latest posts the repeat rule reads: room for `repeat_count` copies with as many other posts between them. */
export const repeatLookback = (repeatCount: number): number => Math.max(4, repeatCount * 2);
const LINK = /\bhttps?:\/\/|\bwww\.[a-z0-9-]+\.[a-z]/gi;

interface Finding {
  action: FilterAction;
  violation: Violation;
  reason: string;
  spans: ContentRejectedDetails['spans'];
  matches?: FilterMatch[];
}

/**
 * The moderation side of the posting pipeline's ContentCheck: the word filter (lists compiled
 * per community, action per severity) and the spam rules (repeats, mass mentions, links from
 * new members). Posts that are flagged or held go to the queue and every hit counts as a
 * violation toward the automatic thresholds, both in the post's own transaction.
 */
export class ModerationContentCheck implements ContentCheck {
  /** SQLite (one writing process): authors' latest posts kept here instead of read per post. */
  private readonly recent: RecentPosts | null;

  constructor(
    private readonly ctx: Pick<ModerationDeps, 'bus' | 'clock' | 'config' | 'db'>,
    private readonly lists: WordLists,
  ) {
    this.recent = ctx.db.dialect === 'sqlite' ? new RecentPosts() : null;
  }

  private get db() {
    return this.ctx.db.db;
  }

  async check(input: ContentCheckInput): Promise<ContentVerdict> {
    const m = this.ctx.config.moderation;
    const isDm =
      input.target === 'dm_message' || input.target === 'dm_thread' || (input.target === 'file_name' && input.communityId === null);
    const findings: Finding[] = [];
    let words: FilterMatch[] = [];
    let compiled: Awaited<ReturnType<WordLists['forCommunity']>> | null = null;
    if (this.ctx.config.features.bad_word_filter && (!isDm || m.filter_dms)) {
      compiled = await this.lists.forCommunity(input.communityId);
      words = compiled.filter.match(input.content);
      if (words.length) {
        const worst = words.reduce((a, b) => (SEVERITY_RANK[b.term.severity] > SEVERITY_RANK[a.term.severity] ? b : a));
        const action = words
          .map((w) => this.lists.actionFor(w.term.severity, compiled!.actions))
          .reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
        findings.push({
          action,
          violation: { rule: 'word', severity: worst.term.severity },
          reason: 'The text contains a word that is not allowed here',
          spans: words.map((w) => ({ start: w.start, end: w.end, severity: w.term.severity })),
          matches: words,
        });
      }
    }
    if (POSTS.has(input.target)) findings.push(...(await this.spam(input)));
    if (findings.length === 0) return { action: 'pass' };
    // Names and titles have no queue: what would be flagged or held there is censored.
    const top = findings.reduce((a, b) => (RANK[b.action] > RANK[a.action] ? b : a));
    const action: FilterAction = !POSTS.has(input.target) && (top.action === 'flag' || top.action === 'hold') ? 'censor' : top.action;
    if (action === 'reject')
      return {
        action,
        reason: top.reason,
        violation: top.violation,
        details: { field: input.field ?? 'content', spans: top.spans, rule: top.violation.rule },
      };
    if (action === 'censor') {
      // A spam rule has nothing to censor: the post goes through as written (it still counts).
      const content = words.length && compiled ? compiled.filter.censor(input.content, words, m.replace_char) : input.content;
      return { action, content, reason: top.reason, violation: top.violation };
    }
    return { action, reason: top.reason, violation: top.violation };
  }

  private async spam(input: ContentCheckInput): Promise<Finding[]> {
    const s = this.ctx.config.moderation.spam;
    const out: Finding[] = [];
    const finding = (rule: Violation['rule'], reason: string, spans: Finding['spans'] = []): Finding => ({
      action: s.action,
      violation: { rule, severity: 'medium' },
      reason,
      spans,
    });
    if (s.max_mentions > 0 && extractMentions(input.content).length > s.max_mentions)
      out.push(finding('spam_mentions', `At most ${s.max_mentions} mentions in one post`));
    if (s.new_member_link_days > 0 && input.communityId !== null) {
      const links = [...input.content.matchAll(LINK)];
      if (links.length) {
        const member = await this.db
          .selectFrom('community_members')
          .select('joined_at')
          .where('community_id', '=', input.communityId)
          .where('user_id', '=', input.userId)
          .executeTakeFirst();
        const since = this.ctx.clock.now().getTime() - s.new_member_link_days * 86_400_000;
        if (member && Date.parse(member.joined_at) > since)
          out.push(
            finding(
              'spam_links',
              `New members may post links after ${s.new_member_link_days} days`,
              links.map((l) => ({ start: l.index, end: l.index + l[0].length, severity: 'medium' as const })),
            ),
          );
      }
    }
    if (s.repeat_count > 1 && (await this.repeats(input)) + 1 >= s.repeat_count)
      out.push(finding('spam_repeat', 'You have just posted the same text several times'));
    return out;
  }

  /**
   * The author's posts of the same text within the repeat window, in the same kind of place,
   * among their latest `repeatLookback` posts: an index walk of fixed length on `(user_id, id)`,
   * so the check costs the same however much a member has posted. On SQLite the walk happens
   * once per author and process; the posts this process commits then keep it current (`posted`).
   */
  private async repeats(input: ContentCheckInput): Promise<number> {
    const s = this.ctx.config.moderation.spam;
    const since = new Date(this.ctx.clock.now().getTime() - s.repeat_window_seconds * 1000).toISOString();
    const table = POST_TABLES[input.target]!;
    const key = `${table}:${input.userId}`;
    const depth = repeatLookback(s.repeat_count);
    let latest = this.recent?.get(key, depth);
    if (!latest) {
      const rows = await this.db
        .selectFrom(table)
        .select(['id', 'content', 'created_at'])
        .where('user_id', '=', input.userId)
        .orderBy('id', 'desc')
        .limit(depth)
        .execute();
      latest = this.recent ? this.recent.seed(key, depth, rows) : rows;
    }
    return latest.filter((r) => r.created_at >= since && r.content === input.content).length;
  }

  /** After a post's commit (new, or edited): what the repeat rule reads next for its author. */
  posted(input: ContentCheckInput, post: RecentPost): void {
    const table = POST_TABLES[input.target];
    if (this.recent && table) this.recent.posted(`${table}:${input.userId}`, post);
  }

  async record(trx: Tx, input: ContentCheckInput, verdict: ContentVerdict, targetId: number): Promise<void> {
    if (verdict.action === 'pass') return;
    await this.violation(trx, input, verdict.violation, targetId);
    if (verdict.action !== 'flag' && verdict.action !== 'hold') return;
    const now = this.ctx.clock.now().toISOString();
    const source = verdict.violation.rule === 'word' ? 'filter' : 'spam';
    const type = input.target;
    const insert = trx.insertInto('moderation_reports').values({
      reporter_id: 0,
      community_id: input.communityId,
      target_type: type,
      target_id: targetId,
      target_user_id: input.userId,
      reason: verdict.action === 'hold' ? `held: ${verdict.violation.rule}` : `flagged: ${verdict.violation.rule}`,
      status: 'open',
      source,
      open_key: `0:${type}:${targetId}`,
      created_at: now,
      updated_at: now,
    });
    // An edit that trips the filter again while the first system report is still open: the
    // queue already has it (one open report per reporter and target).
    const r = await (
      this.ctx.db.dialect === 'mysql' ? insert.ignore() : insert.onConflict((oc) => oc.column('open_key').doNothing())
    ).executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return;
    const reportId = Number(r.insertId ?? 0) || (await this.reportIdByKey(trx, `0:${type}:${targetId}`));
    await this.ctx.bus.record(trx, 'ReportCreated', {
      community_id: input.communityId,
      user_id: 0,
      report_id: reportId,
      target_type: type,
      target_id: targetId,
      reason: verdict.violation.rule,
      source,
    });
  }

  private async reportIdByKey(trx: Tx, key: string): Promise<number> {
    const row = await trx.selectFrom('moderation_reports').select('id').where('open_key', '=', key).executeTakeFirstOrThrow();
    return row.id;
  }

  async rejected(input: ContentCheckInput, verdict: ContentVerdict): Promise<void> {
    if (verdict.action === 'pass' || !POSTS.has(input.target)) return;
    await inTransaction(this.db, (trx) => this.violation(trx, input, verdict.violation, null));
  }

  private async violation(trx: Tx, input: ContentCheckInput, v: Violation, targetId: number | null): Promise<void> {
    if (!POSTS.has(input.target)) return;
    await trx
      .insertInto('moderation_violations')
      .values({
        user_id: input.userId,
        community_id: input.communityId ?? 0,
        rule: v.rule,
        severity: v.severity,
        target_type: input.target,
        target_id: targetId,
        created_at: this.ctx.clock.now().toISOString(),
      })
      .execute();
    await this.ctx.bus.record(trx, 'ContentViolated', {
      community_id: input.communityId,
      user_id: input.userId,
      rule: v.rule,
      severity: v.severity,
      target_type: input.target,
      target_id: targetId,
    });
  }
}
