import type { CommunityCard, CommunityDetail, Member, UserSummary } from '@communities/contract';

import type { HostUser } from '../host/ports';
import type { CommunityRow } from '../platform/db/schema';

import { parseSettings, type MemberWithRole } from './facts';

export const userSummary = (id: number, users: Map<number, HostUser>): UserSummary => {
  const u = users.get(id);
  return { id, name: u?.name ?? 'Former member', avatar_url: u?.avatarUrl ?? null };
};

/** quiet / active / buzzing from when the community last saw activity. */
export function activityLevel(lastActivityAt: string | null, now: Date): CommunityCard['activity_level'] {
  if (!lastActivityAt) return 'quiet';
  const age = now.getTime() - Date.parse(lastActivityAt);
  return age < 86_400_000 ? 'buzzing' : age < 7 * 86_400_000 ? 'active' : 'quiet';
}

export interface CardExtras {
  membership: MemberWithRole | null | undefined;
  price: CommunityCard['price'];
  now: Date;
  uploadUrl: (uploadId: number | null) => string | null;
}

export function presentCard(row: CommunityRow, x: CardExtras): CommunityCard {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    visibility: row.visibility as CommunityCard['visibility'],
    status: row.status as CommunityCard['status'],
    category: row.category,
    is_featured: row.is_featured === 1,
    icon_url: x.uploadUrl(row.icon_upload_id) ?? row.icon_path,
    cover_url: x.uploadUrl(row.cover_upload_id) ?? row.cover_image_path,
    member_count: row.member_count,
    activity_level: activityLevel(row.last_activity_at, x.now),
    last_activity_at: row.last_activity_at,
    price: x.price,
    viewer_membership: x.membership
      ? {
          status: x.membership.status as Member['status'],
          role: x.membership.role_slug,
          muted_until: x.membership.status === 'muted' ? x.membership.mute_expires_at : null,
          sanction_reason: x.membership.status === 'muted' || x.membership.status === 'banned' ? x.membership.ban_reason : null,
        }
      : null,
  };
}

export function presentDetail(
  row: CommunityRow,
  x: CardExtras & {
    owner: UserSummary;
    permissions: string[];
    capabilities: CommunityDetail['viewer_capabilities'];
    actingAsOwner: CommunityDetail['acting_as_owner'];
  },
): CommunityDetail {
  return {
    ...presentCard(row, x),
    owner: x.owner,
    settings: parseSettings(row.settings),
    created_at: row.created_at,
    viewer_permissions: x.permissions,
    viewer_capabilities: x.capabilities,
    acting_as_owner: x.actingAsOwner,
  };
}

export function presentMember(m: MemberWithRole, users: Map<number, HostUser>): Member {
  return {
    user: userSummary(m.user_id, users),
    role: { id: m.role_id, slug: m.role_slug, name: m.role_name },
    status: m.status as Member['status'],
    joined_at: m.joined_at,
    status_expires_at: m.status === 'banned' ? m.ban_expires_at : m.status === 'muted' ? m.mute_expires_at : null,
    ban_reason: m.ban_reason,
    source: m.source,
    request_intro: m.status === 'pending' ? m.request_intro : null,
  };
}
