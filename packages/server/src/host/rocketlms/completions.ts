import type { Kysely } from 'kysely';

import type { Completion, CompletionsPort } from '../ports';

import type { HostDatabase } from './schema';

/**
 * A course completion is a RocketLMS course certificate: a `certificates` row with
 * type = 'course' and a webinar_id. RocketLMS has no completion column (course_learning only
 * records items), and it issues the course certificate when the course is finished, so this is
 * its most reliable signal. The cursor is the last certificate id seen.
 */
export class RocketCompletions implements CompletionsPort {
  constructor(private readonly db: Kysely<HostDatabase>) {}

  async completionsSince(cursor: string | null, limit: number): Promise<{ items: Completion[]; cursor: string | null }> {
    const after = cursor && /^\d+$/.test(cursor) ? Number(cursor) : 0;
    const rows = await this.db
      .selectFrom('certificates')
      .select(['id', 'student_id', 'webinar_id', 'created_at'])
      .where('id', '>', after)
      .where('type', '=', 'course')
      .where('webinar_id', 'is not', null)
      .orderBy('id')
      .limit(limit)
      .execute();
    const last = rows[rows.length - 1];
    return {
      items: rows.map((r) => ({ userId: Number(r.student_id), courseId: Number(r.webinar_id), completedAt: Number(r.created_at) })),
      cursor: last ? String(last.id) : cursor,
    };
  }
}
