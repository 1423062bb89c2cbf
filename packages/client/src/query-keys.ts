/**
 * One query-key scheme for web and mobile (TanStack Query). Every key starts with 'communities'
 * so the addon's cache never collides with a host app's, and each resource has an `all` prefix
 * so one `invalidateQueries({ queryKey: xKeys.all })` refreshes everything of that resource.
 * Screens never write a key literal: they use these factories (through their platform's
 * `state/queries/<resource>.ts` hooks).
 */
const root = 'communities' as const;

export interface CommunityListFilters {
  q?: string;
  joined?: boolean;
  price?: 'free' | 'paid';
  sort?: 'activity' | 'members' | 'newest';
}

export const systemKeys = {
  all: [root, 'system'] as const,
  features: [root, 'system', 'features'] as const,
  me: [root, 'system', 'me'] as const,
  demoUsers: [root, 'system', 'demo-users'] as const,
};

export const communityKeys = {
  all: [root, 'community'] as const,
  lists: [root, 'community', 'list'] as const,
  list: (filters: CommunityListFilters, limit: number) => [root, 'community', 'list', filters, limit] as const,
  detail: (id: string) => [root, 'community', 'detail', id] as const,
  members: (id: string, q: string, limit: number) => [root, 'community', 'members', id, q, limit] as const,
  allMembers: (id: string) => [root, 'community', 'members', id] as const,
  courses: (id: string) => [root, 'community', 'courses', id] as const,
  tiers: (id: string) => [root, 'community', 'tiers', id] as const,
  revenue: (id: string) => [root, 'community', 'revenue', id] as const,
  sellable: (id: string, type: string, q: string) => [root, 'community', 'sellable', id, type, q] as const,
  requests: (id: string) => [root, 'community', 'requests', id] as const,
  roles: (id: string) => [root, 'community', 'roles', id] as const,
  invites: (id: string) => [root, 'community', 'invites', id] as const,
  slug: (slug: string) => [root, 'community', 'slug', slug] as const,
  /** Members as the settings list filters them (search, role, status). */
  adminMembers: (id: string, filters: { q: string; role: string; status: string }) =>
    [root, 'community', 'members', id, 'admin', filters] as const,
};

export const wizardKeys = {
  all: [root, 'wizard'] as const,
  drafts: [root, 'wizard', 'drafts'] as const,
  draft: (draftId: number) => [root, 'wizard', 'draft', draftId] as const,
  courses: (q: string) => [root, 'wizard', 'courses', q] as const,
};

export interface AdminCommunityFilters {
  q?: string;
  status?: 'draft' | 'active' | 'archived';
  visibility?: 'public' | 'private' | 'hidden';
  featured?: boolean;
  sort?: 'newest' | 'oldest' | 'name' | 'members' | 'activity';
}

export const adminKeys = {
  all: [root, 'admin'] as const,
  overview: [root, 'admin', 'overview'] as const,
  settings: [root, 'admin', 'settings'] as const,
  communities: (filters: AdminCommunityFilters) => [root, 'admin', 'communities', filters] as const,
  audit: (communityId: number | null) => [root, 'admin', 'audit', communityId] as const,
};

export const channelKeys = {
  all: [root, 'channels'] as const,
  list: (communityId: string) => [root, 'channels', 'list', communityId] as const,
  detail: (channelId: number) => [root, 'channels', 'detail', channelId] as const,
  pins: (channelId: number) => [root, 'channels', 'pins', channelId] as const,
  overrides: (channelId: number) => [root, 'channels', 'overrides', channelId] as const,
};

export const feedKeys = {
  all: [root, 'feed'] as const,
  community: (communityId: string) => [root, 'feed', 'community', communityId] as const,
  list: (communityId: string, limit: number) => [root, 'feed', 'community', communityId, limit] as const,
  home: (limit: number) => [root, 'feed', 'home', limit] as const,
  comments: (itemId: number) => [root, 'feed', 'comments', itemId] as const,
  replies: (commentId: number) => [root, 'feed', 'replies', commentId] as const,
};

export const dmKeys = {
  all: [root, 'dm'] as const,
  inboxes: [root, 'dm', 'inbox'] as const,
  inbox: (limit: number) => [root, 'dm', 'inbox', limit] as const,
  thread: (threadId: number) => [root, 'dm', 'thread', threadId] as const,
  unread: [root, 'dm', 'unread'] as const,
  people: (q: string) => [root, 'dm', 'people', q] as const,
  blocks: [root, 'dm', 'blocks'] as const,
};

export const gamificationKeys = {
  all: [root, 'gamification'] as const,
  leaderboards: [root, 'gamification', 'leaderboard'] as const,
  /** communityId null: the global (site-wide) leaderboard. */
  leaderboard: (communityId: string | null, period: string) =>
    [root, 'gamification', 'leaderboard', communityId ?? 'global', period] as const,
  profiles: [root, 'gamification', 'profile'] as const,
  profile: (userId: number, communityId: number | null) => [root, 'gamification', 'profile', userId, communityId ?? 'global'] as const,
  admin: [root, 'gamification', 'admin'] as const,
};

export interface HeatmapFilters {
  from?: string;
  to?: string;
  tz?: string;
  kinds?: string[];
  community_id?: number;
}

export interface AnalyticsFilters {
  period?: 'day' | 'week' | 'month';
  from?: string;
  to?: string;
  tz?: string;
  top?: number;
}

/** Activity heatmaps (members, communities), community insights and the site-wide analytics. */
export const analyticsKeys = {
  all: [root, 'analytics'] as const,
  heatmaps: [root, 'analytics', 'heatmap'] as const,
  userHeatmap: (userId: number, filters: HeatmapFilters) => [root, 'analytics', 'heatmap', 'user', userId, filters] as const,
  communityHeatmap: (communityId: string, filters: HeatmapFilters) =>
    [root, 'analytics', 'heatmap', 'community', communityId, filters] as const,
  community: (communityId: string, filters: AnalyticsFilters) => [root, 'analytics', 'community', communityId, filters] as const,
  admin: (filters: Omit<AnalyticsFilters, 'period' | 'top'> & { limit?: number }) => [root, 'analytics', 'admin', filters] as const,
  settings: [root, 'analytics', 'settings'] as const,
  memberActivity: (communityId: string, tz: string | null) => [root, 'analytics', 'member-activity', communityId, tz] as const,
};

export interface AuditFilters {
  user_id?: number;
  moderator_id?: number;
  action?: string;
  from?: string;
  to?: string;
}

/** Moderation: a community's queue, held content, sanctions, word lists and audit log; the site-wide ones under 'admin'. */
export const moderationKeys = {
  all: [root, 'moderation'] as const,
  community: (communityId: string) => [root, 'moderation', 'community', communityId] as const,
  queue: (communityId: string, status: string) => [root, 'moderation', 'community', communityId, 'queue', status] as const,
  held: (communityId: string) => [root, 'moderation', 'community', communityId, 'held'] as const,
  sanctions: (communityId: string) => [root, 'moderation', 'community', communityId, 'sanctions'] as const,
  words: (communityId: string) => [root, 'moderation', 'community', communityId, 'words'] as const,
  audit: (communityId: string, filters: AuditFilters) => [root, 'moderation', 'community', communityId, 'audit', filters] as const,
  admin: [root, 'moderation', 'admin'] as const,
  globalQueue: (status: string) => [root, 'moderation', 'admin', 'queue', status] as const,
  badWords: (q: string) => [root, 'moderation', 'admin', 'bad-words', q] as const,
  siteSanctions: [root, 'moderation', 'admin', 'sanctions'] as const,
  globalAudit: (filters: AuditFilters) => [root, 'moderation', 'admin', 'audit', filters] as const,
  wordList: (communityId: number | null) => [root, 'moderation', 'word-list', communityId] as const,
  myReports: [root, 'moderation', 'mine'] as const,
};
