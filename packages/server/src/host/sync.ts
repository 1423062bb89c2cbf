import type { Kysely } from 'kysely';

import { joinFromHost, type PaidAccessSync, type PaidSyncResult } from '../communities/paid-access';
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
  paid: PaidSyncResult | null;
}

/**
 * Brings what happened in RocketLMS into the addon, by cursor and idempotently:
 * - a new enrolment in a course linked to a community with auto-join (as a course, a live class,
 *   or through a bundle holding it) makes the buyer a member;
 * - sales of items paid tiers are linked to become subscriptions, refunds cancel them, terms run
 *   out, and course-derived members who lost the course leave (communities/paid-access.ts);
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
      paid?: PaidAccessSync;
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
    const result: HostSyncResult = { enrolments: 0, joined: 0, completions: 0, bans: 0, paid: null };
    await this.syncEnrolments(result);
    // Paid tiers from sales, terms running out, and course-derived members who lost the course.
    if (this.deps.paid) result.paid = await this.deps.paid.runOnce(this.deps.batch ?? 500);
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

  /**
   * Joins the user to every active community with auto-join that links this course: as a course
   * or a live class, or through a bundle that holds it (nothing while banned; see joinFromHost).
   */
  private async autoJoin(userId: number, courseId: number): Promise<number> {
    const bundles = (
      await this.deps.hostDb.selectFrom('bundle_webinars').select('bundle_id').where('webinar_id', '=', courseId).execute()
    ).map((b) => Number(b.bundle_id));
    const links = await this.deps.db
      .selectFrom('community_courses')
      .innerJoin('communities', 'communities.id', 'community_courses.community_id')
      .select('communities.id as community_id')
      .where((eb) =>
        eb.or([
          eb.and([eb('community_courses.course_type', 'in', ['course', 'live_class']), eb('community_courses.course_id', '=', courseId)]),
          ...(bundles.length
            ? [eb.and([eb('community_courses.course_type', '=', 'bundle'), eb('community_courses.course_id', 'in', bundles)])]
            : []),
        ]),
      )
      .where('community_courses.auto_join', '=', 1)
      .where('communities.status', '=', 'active')
      .execute();
    let joined = 0;
    for (const communityId of new Set(links.map((l) => l.community_id)))
      if (await joinFromHost({ db: this.deps.db, bus: this.deps.bus, clock: this.deps.clock }, communityId, userId, 'course')) joined++;
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
