import type { Kysely } from 'kysely';

import type { CoursePort, CourseType, HostCourse } from '../ports';

import { containsPattern, likeLower } from '../../platform/db/like';

import { absoluteUrl } from './identities';
import type { HostDatabase } from './schema';

function pickTitle(rows: Array<{ locale: string; title: string }>, locale: string, fallback: string): string | null {
  return rows.find((r) => r.locale === locale)?.title ?? rows.find((r) => r.locale === fallback)?.title ?? rows[0]?.title ?? null;
}

export class RocketCourses implements CoursePort {
  constructor(
    private readonly db: Kysely<HostDatabase>,
    private readonly opts: { baseUrl: string; defaultLocale: string },
  ) {}

  async getCourses(refs: ReadonlyArray<{ type: CourseType; id: number }>, locale = this.opts.defaultLocale): Promise<HostCourse[]> {
    const courseIds = [...new Set(refs.filter((r) => r.type === 'course').map((r) => r.id))];
    const bundleIds = [...new Set(refs.filter((r) => r.type === 'bundle').map((r) => r.id))];
    const out: HostCourse[] = [];
    const base = this.opts.baseUrl.replace(/\/+$/, '');
    if (courseIds.length) {
      const [rows, titles, partners] = await Promise.all([
        this.db.selectFrom('webinars').selectAll().where('id', 'in', courseIds).where('deleted_at', 'is', null).execute(),
        this.db.selectFrom('webinar_translations').select(['webinar_id', 'locale', 'title']).where('webinar_id', 'in', courseIds).execute(),
        this.db.selectFrom('webinar_partner_teacher').select(['webinar_id', 'teacher_id']).where('webinar_id', 'in', courseIds).execute(),
      ]);
      for (const w of rows) {
        out.push({
          id: Number(w.id),
          type: w.type as HostCourse['type'],
          title:
            pickTitle(
              titles.filter((t) => t.webinar_id === w.id),
              locale,
              this.opts.defaultLocale,
            ) ?? w.slug,
          slug: w.slug,
          teacherIds: [
            ...new Set([
              Number(w.teacher_id),
              Number(w.creator_id),
              ...partners.filter((p) => p.webinar_id === w.id).map((p) => Number(p.teacher_id)),
            ]),
          ],
          url: `${base}/course/${w.slug}`,
          imageUrl: absoluteUrl(base, w.thumbnail ?? w.image_cover),
          status: w.status,
          price: w.price === null ? null : Number(w.price),
        });
      }
    }
    if (bundleIds.length) {
      const [rows, titles] = await Promise.all([
        this.db.selectFrom('bundles').selectAll().where('id', 'in', bundleIds).execute(),
        this.db.selectFrom('bundle_translations').select(['bundle_id', 'locale', 'title']).where('bundle_id', 'in', bundleIds).execute(),
      ]);
      for (const b of rows) {
        out.push({
          id: Number(b.id),
          type: 'bundle',
          title:
            pickTitle(
              titles.filter((t) => t.bundle_id === b.id),
              locale,
              this.opts.defaultLocale,
            ) ?? b.slug,
          slug: b.slug,
          teacherIds: [...new Set([Number(b.teacher_id), Number(b.creator_id)])],
          url: `${base}/bundles/${b.slug}`,
          imageUrl: absoluteUrl(base, b.thumbnail ?? b.image_cover),
          status: b.status,
          price: b.price === null ? null : Number(b.price),
        });
      }
    }
    return out;
  }

  async coursesTaughtBy(userId: number, limit: number, locale = this.opts.defaultLocale): Promise<HostCourse[]> {
    const partnered = this.db.selectFrom('webinar_partner_teacher').select('webinar_id').where('teacher_id', '=', userId);
    const [courses, bundles] = await Promise.all([
      this.db
        .selectFrom('webinars')
        .select('id')
        .where('deleted_at', 'is', null)
        .where((eb) => eb.or([eb('teacher_id', '=', userId), eb('creator_id', '=', userId), eb('id', 'in', partnered)]))
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
      this.db
        .selectFrom('bundles')
        .select('id')
        .where((eb) => eb.or([eb('teacher_id', '=', userId), eb('creator_id', '=', userId)]))
        .orderBy('id', 'desc')
        .limit(limit)
        .execute(),
    ]);
    return this.getCourses(
      [
        ...courses.map((r) => ({ type: 'course' as const, id: Number(r.id) })),
        ...bundles.map((r) => ({ type: 'bundle' as const, id: Number(r.id) })),
      ],
      locale,
    );
  }

  async courseIdBySlug(slug: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('webinars')
      .select('id')
      .where('slug', '=', slug)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row ? Number(row.id) : null;
  }

  async searchCourses(query: string, limit: number, locale = this.opts.defaultLocale): Promise<HostCourse[]> {
    const q = containsPattern(query);
    const ids = await this.db
      .selectFrom('webinar_translations')
      .select('webinar_id')
      .distinct()
      .where(likeLower('title', q))
      .limit(limit)
      .execute();
    return this.getCourses(
      ids.map((r) => ({ type: 'course' as const, id: Number(r.webinar_id) })),
      locale,
    );
  }
}
