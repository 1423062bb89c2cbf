import { DEFAULT_ROLES, slugSchema, type CommunitySettings } from '@communities/contract';

import { insertedId } from '../platform/db/insert';
import { conflict } from '../platform/errors';
import type { DbHandle, Tx } from '../platform/db/transaction';

/** Slugs that would shadow the API's own paths under /api/communities/. */
export const RESERVED_SLUGS = new Set([
  'health',
  'features',
  'me',
  'openapi',
  'docs',
  'demo',
  'feed',
  'wizard',
  'uploads',
  'broadcasting',
  'invites',
  'unread',
  'new',
  'admin',
  'embed',
  'slug-availability',
  // The web app's notification settings page, /communities/notifications.
  'notifications',
  // The site-wide leaderboard: the API's /api/communities/leaderboard and the web page /communities/leaderboard.
  'leaderboard',
]);

export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/g, '');
  return s.length >= 3 ? s : `community-${s || 'new'}`.slice(0, 50);
}

/** The name's slug, or with -2, -3… when taken (or reserved). */
export async function freeSlug(trx: Tx | DbHandle, name: string, exceptId?: number): Promise<string> {
  const base = slugify(name);
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (RESERVED_SLUGS.has(candidate)) continue;
    let q = trx.selectFrom('communities').select('id').where('slug', '=', candidate);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    if (!(await q.executeTakeFirst())) return candidate;
  }
  throw conflict('Could not find a free slug; choose one');
}

/**
 * The wizard's live check: whether a slug may be given, and a free one near it. Taken and
 * reserved answer the same `unavailable` (as assertSlugFree's 409), so it reveals no hidden community.
 */
export async function slugAvailability(db: DbHandle, slug: string) {
  const valid = slugSchema.safeParse(slug).success;
  const free =
    valid && !RESERVED_SLUGS.has(slug) && !(await db.selectFrom('communities').select('id').where('slug', '=', slug).executeTakeFirst());
  return {
    slug,
    available: free,
    reason: free ? null : valid ? ('unavailable' as const) : ('invalid' as const),
    suggestion: free ? null : await freeSlug(db, slug.length > 0 ? slug : 'community'),
  };
}

/**
 * Slugs are unique, so a taken one cannot be given out; but the refusal is the same for a
 * reserved word and for any community's slug (hidden ones included): it says "not available",
 * never whose, what or whether it is a community.
 */
export async function assertSlugFree(trx: Tx | DbHandle, slug: string, exceptId?: number): Promise<void> {
  const unavailable = () => conflict(`The slug "${slug}" is not available`, { field: 'slug', reason: 'slug_unavailable' });
  if (RESERVED_SLUGS.has(slug)) throw unavailable();
  let q = trx.selectFrom('communities').select('id').where('slug', '=', slug);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst()) throw unavailable();
}

export interface ChannelSeed {
  name: string;
  type: 'text' | 'announcement';
  topic?: string | undefined;
}

export const DEFAULT_CHANNELS: ChannelSeed[] = [
  { name: 'general', type: 'text', topic: 'Say hello and talk about anything' },
  { name: 'announcements', type: 'announcement', topic: 'News from the team' },
];

export const channelSlug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 90) || 'channel';

/**
 * Roles, the owner's membership and starter channels of a new community, inside the caller's
 * transaction. Role permission overrides come from the wizard's visibility step.
 */
export async function setUpCommunity(
  trx: Tx,
  input: {
    communityId: number;
    ownerId: number;
    now: string;
    channels: { category: string; list: ChannelSeed[] } | null;
    roleOverrides?: Array<{ slug: string; permissions: string[] }> | undefined;
  },
): Promise<void> {
  const roleIds: Record<string, number> = {};
  for (const r of DEFAULT_ROLES) {
    const override = r.slug === 'owner' ? undefined : input.roleOverrides?.find((o) => o.slug === r.slug);
    roleIds[r.slug] = await insertedId(
      trx,
      trx.insertInto('community_roles').values({
        community_id: input.communityId,
        name: r.name,
        slug: r.slug,
        permissions: JSON.stringify(override?.permissions ?? r.permissions),
        rank: r.rank,
        is_system: 1,
        created_at: input.now,
        updated_at: input.now,
      }),
    );
  }
  await trx
    .insertInto('community_members')
    .values({
      community_id: input.communityId,
      user_id: input.ownerId,
      role_id: roleIds.owner!,
      joined_at: input.now,
      status: 'active',
      source: 'join',
      created_at: input.now,
      updated_at: input.now,
    })
    .execute();
  await trx
    .updateTable('communities')
    .set({ default_role_id: roleIds.member!, member_count: 1, last_activity_at: input.now })
    .where('id', '=', input.communityId)
    .execute();
  if (!input.channels) return;
  const categoryId = await insertedId(
    trx,
    trx.insertInto('channels').values({
      community_id: input.communityId,
      parent_id: null,
      name: input.channels.category,
      slug: `${channelSlug(input.channels.category)}-category`,
      type: 'category',
      position: 0,
      settings: '{}',
      created_at: input.now,
      updated_at: input.now,
    }),
  );
  const used = new Set<string>();
  for (const [i, ch] of input.channels.list.entries()) {
    let slug = channelSlug(ch.name);
    for (let n = 2; used.has(slug); n++) slug = `${channelSlug(ch.name)}-${n}`;
    used.add(slug);
    await trx
      .insertInto('channels')
      .values({
        community_id: input.communityId,
        parent_id: categoryId,
        name: ch.name,
        slug,
        type: ch.type,
        topic: ch.topic ?? null,
        position: i,
        settings: '{}',
        created_at: input.now,
        updated_at: input.now,
      })
      .execute();
  }
}

export function mergeSettings(current: CommunitySettings, patch: Partial<CommunitySettings> | undefined): CommunitySettings {
  return { ...current, ...(patch ?? {}) };
}
