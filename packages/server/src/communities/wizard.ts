import { WIZARD_STEPS, wizardStepSchemas, type CommunityDetail, type WizardStep } from '@communities/contract';
import type { z } from 'zod';

import { assertCan, type Actor } from '../access';
import { insertedId } from '../platform/db/insert';
import type { CommunityRow } from '../platform/db/schema';
import { inTransaction } from '../platform/db/transaction';
import { AppError, notFound } from '../platform/errors';

import type { CourseLinkService } from './course-links';
import type { CommunityDeps } from './deps';
import type { FactsLoader } from './facts';
import { parseSettings } from './facts';
import type { PricingService } from './pricing';
import type { CommunityService } from './service';
import { assertSlugFree, freeSlug, mergeSettings, setUpCommunity, slugAvailability } from './setup';

type Steps = { [S in WizardStep]?: z.output<(typeof wizardStepSchemas)[S]> };
const REQUIRED: WizardStep[] = ['basics', 'visibility', 'channels'];

/**
 * The setup wizard as an API: a draft community collects its steps (each validated alone,
 * saved, resumable by its owner), then publishes everything in one transaction.
 */
export class WizardService {
  constructor(
    private readonly ctx: Pick<CommunityDeps, 'bus' | 'clock' | 'db' | 'host'>,
    private readonly facts: FactsLoader,
    private readonly communities: CommunityService,
    private readonly links: CourseLinkService,
    private readonly pricing: PricingService,
  ) {}

  private get db() {
    return this.ctx.db.db;
  }

  private steps(row: CommunityRow): Steps {
    try {
      return (JSON.parse(row.wizard_state ?? '{}') as Steps) ?? {};
    } catch {
      return {};
    }
  }

  private present(row: CommunityRow) {
    const steps = this.steps(row);
    const applicable = WIZARD_STEPS.filter((s) => s !== 'pricing' || this.communities.pricingOn());
    return {
      id: row.id,
      status: row.status as 'draft' | 'active' | 'archived',
      slug: row.slug,
      steps: steps as Record<string, unknown>,
      completed: applicable.filter((s) => steps[s] !== undefined),
      missing: REQUIRED.filter((s) => steps[s] === undefined),
    };
  }

  /** A draft visible only to its owner (and admins); anyone else gets 404. */
  private async draft(actor: Actor, id: number): Promise<CommunityRow> {
    const row = await this.db.selectFrom('communities').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.status !== 'draft' || (row.owner_id !== actor.userId && !actor.isAdmin)) throw notFound('No such draft');
    return row;
  }

  async start(actor: Actor, basics: z.output<(typeof wizardStepSchemas)['basics']>) {
    assertCan(actor, 'community.create', this.facts.baseContext());
    await this.communities.checkImages(actor, basics);
    const now = this.ctx.clock.now().toISOString();
    const id = await inTransaction(this.db, async (trx) => {
      if (basics.slug) await assertSlugFree(trx, basics.slug);
      return insertedId(
        trx,
        trx.insertInto('communities').values({
          owner_id: actor.userId,
          slug: basics.slug ?? (await freeSlug(trx, basics.name)),
          name: basics.name,
          description: basics.description ?? null,
          visibility: 'private',
          status: 'draft',
          settings: JSON.stringify(parseSettings(null)),
          category: basics.category ?? null,
          wizard_state: JSON.stringify({ basics }),
          created_at: now,
          updated_at: now,
        }),
      );
    });
    return this.get(actor, id);
  }

  /** The caller's unpublished drafts, most recently changed first: the wizard resumes the first. */
  async drafts(actor: Actor) {
    const rows = await this.db
      .selectFrom('communities')
      .selectAll()
      .where('owner_id', '=', actor.userId)
      .where('status', '=', 'draft')
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(20)
      .execute();
    return { items: rows.map((r) => ({ ...this.present(r), name: r.name, updated_at: r.updated_at })) };
  }

  /** Courses the creator may link: the ones they teach; admins may link any (searched by title). */
  async courses(actor: Actor, q: { q?: string | undefined; limit: number }) {
    assertCan(actor, 'community.create', this.facts.baseContext());
    const found =
      actor.isAdmin && q.q
        ? await this.ctx.host.courses.searchCourses(q.q, q.limit)
        : await this.ctx.host.courses.coursesTaughtBy(actor.userId, actor.isAdmin ? q.limit : 200);
    const needle = q.q?.toLowerCase();
    return {
      items: found
        .filter((c) => !needle || c.title.toLowerCase().includes(needle))
        .slice(0, q.limit)
        .map((c) => ({
          id: c.id,
          type: c.type === 'bundle' ? ('bundle' as const) : ('course' as const),
          title: c.title,
          url: c.url,
          image_url: c.imageUrl,
        })),
    };
  }

  async slugAvailability(actor: Actor, slug: string) {
    assertCan(actor, 'community.create', this.facts.baseContext());
    return slugAvailability(this.db, slug);
  }

  async get(actor: Actor, id: number) {
    return this.present(await this.draft(actor, id));
  }

  async saveStep(actor: Actor, id: number, step: WizardStep, body: unknown) {
    const row = await this.draft(actor, id);
    if (step === 'pricing' && !this.communities.pricingOn()) throw notFound('Paid tiers are switched off');
    const parsed = wizardStepSchemas[step].safeParse(body);
    if (!parsed.success) {
      throw new AppError('validation_failed', 'The request is not valid', {
        issues: parsed.error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), code: i.code, message: i.message })),
      });
    }
    if (step === 'basics') await this.communities.checkImages(actor, parsed.data as NonNullable<Steps['basics']>);
    if (step === 'courses')
      await this.links.assertLinkable(actor, (parsed.data as Steps['courses'])!.links, (i) => `body.links.${i}.course_id`);
    const steps = { ...this.steps(row), [step]: parsed.data };
    await inTransaction(this.db, async (trx) => {
      const basics = steps.basics;
      if (step === 'basics' && basics?.slug && basics.slug !== row.slug) await assertSlugFree(trx, basics.slug, row.id);
      await trx
        .updateTable('communities')
        .set({
          wizard_state: JSON.stringify(steps),
          ...(step === 'basics' && basics
            ? {
                name: basics.name,
                description: basics.description ?? null,
                category: basics.category ?? null,
                ...(basics.slug ? { slug: basics.slug } : {}),
              }
            : {}),
          updated_at: this.ctx.clock.now().toISOString(),
        })
        .where('id', '=', row.id)
        .execute();
    });
    return this.get(actor, id);
  }

  async publish(actor: Actor, id: number): Promise<CommunityDetail> {
    const row = await this.draft(actor, id);
    const steps = this.steps(row);
    const missing = REQUIRED.filter((s) => steps[s] === undefined);
    if (missing.length) {
      throw new AppError('validation_failed', 'Finish the wizard first', {
        issues: missing.map((s) => ({ path: `steps.${s}`, code: 'missing_step', message: `The ${s} step is missing` })),
      });
    }
    const courseLinks = steps.courses?.links ?? [];
    // Courses may have been deleted in RocketLMS, or their instructors changed, since the step was saved.
    await this.links.assertLinkable(actor, courseLinks, (i) => `steps.courses.links.${i}.course_id`);
    const now = this.ctx.clock.now().toISOString();
    await inTransaction(this.db, async (trx) => {
      const basics = steps.basics!;
      const visibility = steps.visibility!;
      await assertSlugFree(trx, row.slug, row.id);
      await trx
        .updateTable('communities')
        .set({
          status: 'active',
          visibility: visibility.visibility,
          settings: JSON.stringify(mergeSettings(parseSettings(row.settings), visibility.settings)),
          icon_upload_id: basics.icon_upload_id ?? null,
          cover_upload_id: basics.cover_upload_id ?? null,
          wizard_state: null,
          published_at: now,
          updated_at: now,
        })
        .where('id', '=', row.id)
        .where('status', '=', 'draft')
        .execute();
      await setUpCommunity(trx, {
        communityId: row.id,
        ownerId: row.owner_id,
        now,
        channels: { category: steps.channels!.category, list: steps.channels!.channels },
        roleOverrides: visibility.roles,
      });
      if (steps.pricing && this.communities.pricingOn()) await this.pricing.insertTiers(trx, row.id, steps.pricing.tiers);
      for (const l of courseLinks) {
        await trx
          .insertInto('community_courses')
          .values({
            community_id: row.id,
            course_id: l.course_id,
            course_type: l.course_type,
            link_type: l.link_type,
            auto_join: l.auto_join ? 1 : 0,
            created_at: now,
            updated_at: now,
          })
          .execute();
      }
      await this.ctx.bus.record(trx, 'CommunityCreated', {
        community_id: row.id,
        user_id: row.owner_id,
        slug: row.slug,
        visibility: visibility.visibility,
      });
      for (const l of courseLinks) {
        await this.ctx.bus.record(trx, 'CourseLinked', {
          community_id: row.id,
          user_id: row.owner_id,
          course_id: l.course_id,
          course_type: l.course_type,
          link_type: l.link_type,
        });
      }
    });
    return this.communities.detail(actor, row.id);
  }
}
