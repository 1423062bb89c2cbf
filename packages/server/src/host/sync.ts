import type { Kysely } from 'kysely';

import { siteSanctionOf } from '../communities/facts';
import { bumpMemberCount } from '../communities/membership';
import type { EventBus } from '../platform/bus';
import type { Clock } from '../platform/clock';
import { inTransaction, type DbHandle } from '../platform/db/transaction';
import type { Logger } from '../platform/logger';

import type { Authenticator } from './authenticator';
import type { HostPorts } from './ports';
import type { HostDatabase } from './rocketlms/schema';

/** The cursor row whose value is when the last complete sync finished. */
const LAST_RUN = 'last_run';

export interface HostSyncResult {
  enrolments: number;
  joined: number;
  completions: number;
  bans: number;
}

/**
 * Brings what happened in RocketLMS into the addon, by cursor and idempotently:
 * - a new enrolment in a course linked to a community with auto-join makes the buyer a member;
 * - a new course completion (course certificate) emits one CourseCompleted per user and course;
 * - a host ban forgets the cached identity so the next request is refused, and emits UserBanned.
 * Events are published before the cursor moves (at least once); their handlers dedupe.
 */
export class HostSync {
  private completed = false;
  private awaited: 'here' | 'anywhere' | null = null;

  constructor(
    private readonly deps: {
      db: DbHandle;
      hostDb: Kysely<HostDatabase>;
      host: HostPorts;
      bus: EventBus;
      clock: Clock;
      logger: Logger;
      auth: Authenticator;
      batch?: number;
    },
  ) {}

  private async cursor(name: string): Promise<string | null> {
    const row = await this.deps.db.selectFrom('host_sync_cursors').select('cursor').where('name', '=', name).executeTakeFirst();
    return row?.cursor ?? null;
  }

  private async saveCursor(name: string, cursor: string, db: DbHandle = this.deps.db): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    const updated = await db.updateTable('host_sync_cursors').set({ cursor, updated_at: now }).where('name', '=', name).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) await db.insertInto('host_sync_cursors').values({ name, cursor, updated_at: now }).execute();
  }

  async runOnce(): Promise<HostSyncResult> {
    const result: HostSyncResult = { enrolments: 0, joined: 0, completions: 0, bans: 0 };
    await this.syncEnrolments(result);
    await this.syncCompletions(result);
    await this.syncBans(result);
    // Marks that a whole sync went through, for API nodes that wait for one (readiness()).
    await this.saveCursor(LAST_RUN, this.deps.clock.now().toISOString());
    this.completed = true;
    return result;
  }

  /**
   * Until a host sync has completed, course-derived memberships may be missing and members'
   * first posts refused: health reports `starting` meanwhile. A process that runs the sync
   * waits for its own first run (`here`); an API-only process for any node's (`anywhere`).
   */
  awaitFirstRun(where: 'here' | 'anywhere'): void {
    this.awaited = where;
  }

  /** `ready` once the awaited sync completed; `not-awaited` when this process waits for none. */
  async readiness(): Promise<'ready' | 'starting' | 'not-awaited'> {
    if (!this.awaited) return 'not-awaited';
    if (this.completed) return 'ready';
    if (this.awaited === 'anywhere' && (await this.cursor(LAST_RUN)) !== null) this.completed = true;
    return this.completed ? 'ready' : 'starting';
  }

  private async syncEnrolments(result: HostSyncResult): Promise<void> {
    let cursor = await this.cursor('enrolments');
    for (;;) {
      const page = await this.deps.host.access.enrolmentsSince(cursor, this.deps.batch ?? 500);
      for (const e of page.items) {
        result.enrolments++;
        result.joined += await this.autoJoin(e.userId, e.courseId);
      }
      if (page.cursor === null || page.cursor === cursor || page.items.length === 0) {
        if (page.cursor && page.cursor !== cursor) await this.saveCursor('enrolments', page.cursor);
        return;
      }
      cursor = page.cursor;
      await this.saveCursor('enrolments', cursor);
    }
  }

  /** Joins the user to every active community that links this course with auto-join on (none while site-banned). */
  private async autoJoin(userId: number, courseId: number): Promise<number> {
    const site = await siteSanctionOf(this.deps.db, userId, this.deps.clock.now());
    if (site?.status === 'banned') return 0;
    // A site-wide mute follows the user in, marked as the site's so lifting it restores them.
    const member =
      site?.status === 'muted'
        ? {
            status: 'muted',
            mute_expires_at: site.expiresAt?.toISOString() ?? null,
            ban_reason: `site: ${site.reason ?? ''}`.slice(0, 500),
          }
        : { status: 'active' };
    const links = await this.deps.db
      .selectFrom('community_courses')
      .innerJoin('communities', 'communities.id', 'community_courses.community_id')
      .select(['communities.id as community_id', 'communities.default_role_id'])
      .where('community_courses.course_type', '=', 'course')
      .where('community_courses.course_id', '=', courseId)
      .where('community_courses.auto_join', '=', 1)
      .where('communities.status', '=', 'active')
      .execute();
    let joined = 0;
    for (const link of links) {
      const did = await inTransaction(this.deps.db, async (trx) => {
        const existing = await trx
          .selectFrom('community_members')
          .select(['id', 'status'])
          .where('community_id', '=', link.community_id)
          .where('user_id', '=', userId)
          .executeTakeFirst();
        if (existing && existing.status !== 'pending') return false;
        const now = this.deps.clock.now().toISOString();
        if (existing) {
          await trx
            .updateTable('community_members')
            .set({ ...member, source: 'course', joined_at: now, updated_at: now })
            .where('id', '=', existing.id)
            .execute();
        } else {
          const role = link.default_role_id
            ? { id: link.default_role_id }
            : await trx
                .selectFrom('community_roles')
                .select('id')
                .where('community_id', '=', link.community_id)
                .where('slug', '=', 'member')
                .executeTakeFirst();
          if (!role) return false;
          await trx
            .insertInto('community_members')
            .values({
              community_id: link.community_id,
              user_id: userId,
              role_id: role.id,
              joined_at: now,
              ...member,
              source: 'course',
              created_at: now,
              updated_at: now,
            })
            .execute();
        }
        const count = await bumpMemberCount(trx, link.community_id, 1, now);
        await this.deps.bus.record(trx, 'CommunityJoined', {
          community_id: link.community_id,
          user_id: userId,
          source: 'course',
          member_count: count,
        });
        return true;
      });
      if (did) joined++;
    }
    return joined;
  }

  private async syncCompletions(result: HostSyncResult): Promise<void> {
    let cursor = await this.cursor('completions');
    if (cursor === null) {
      // First run: start from now. Replaying years of certificates would flood feeds and points.
      const last = await this.deps.hostDb
        .selectFrom('certificates')
        .select((eb) => eb.fn.max('id').as('max'))
        .executeTakeFirst();
      await this.saveCursor('completions', String(last?.max ?? 0));
      return;
    }
    for (;;) {
      const page = await this.deps.host.completions.completionsSince(cursor, this.deps.batch ?? 500);
      const next: string | null = page.cursor && page.cursor !== cursor ? page.cursor : null;
      // The events and the cursor past them commit together: none lost, none twice.
      await inTransaction(this.deps.db, async (trx) => {
        for (const c of page.items)
          await this.deps.bus.record(trx, 'CourseCompleted', {
            community_id: null,
            user_id: c.userId,
            course_id: c.courseId,
            completed_at: new Date(c.completedAt * 1000).toISOString(),
          });
        if (next) await this.saveCursor('completions', next, trx);
      });
      result.completions += page.items.length;
      if (!next) return;
      cursor = next;
      if (page.items.length === 0) return;
    }
  }

  /**
   * Bans that started since the last run, walked by (ban_start_at, id) so several bans in one
   * second are each seen once: drop cached identities so every request is refused.
   */
  private async syncBans(result: HostSyncResult): Promise<void> {
    const nowS = Math.floor(this.deps.clock.now().getTime() / 1000);
    const m = /^(\d+):(\d+)$/.exec((await this.cursor('bans')) ?? '');
    const [since, sinceId] = m ? [Number(m[1]), Number(m[2])] : [nowS - 86_400, 0];
    const rows = await this.deps.hostDb
      .selectFrom('users')
      .select(['id', 'ban_start_at', 'ban_end_at'])
      .where('ban', '=', 1)
      .where('ban_start_at', '<=', nowS)
      .where((eb) => eb.or([eb('ban_start_at', '>', since), eb.and([eb('ban_start_at', '=', since), eb('id', '>', sinceId)])]))
      .orderBy('ban_start_at')
      .orderBy('id')
      .execute();
    let cursor = `${since}:${sinceId}`;
    for (const r of rows) {
      this.deps.auth.forget(Number(r.id));
      cursor = `${r.ban_start_at}:${r.id}`;
    }
    await inTransaction(this.deps.db, async (trx) => {
      for (const r of rows)
        await this.deps.bus.record(trx, 'UserBanned', {
          community_id: null,
          user_id: Number(r.id),
          by_user_id: null,
          expires_at: r.ban_end_at ? new Date(r.ban_end_at * 1000).toISOString() : null,
          source: 'host',
        });
      await this.saveCursor('bans', cursor, trx);
    });
    result.bans += rows.length;
  }
}
