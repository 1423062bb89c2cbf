import { communityKeys, moderationKeys, type AuditFilters } from '@communities/client';
import type { CommunityWords, ReportStatus, ReportTargetType } from '@communities/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api } from '../../api';

type Reason = 'spam' | 'harassment' | 'hate' | 'sexual' | 'violence' | 'self_harm' | 'misinformation' | 'other';
type ContentTarget = 'channel_message' | 'dm_message' | 'feed_item' | 'feed_comment';
type AuditAction = NonNullable<Parameters<typeof api.moderation.actions>[0]['query']>['action'];

/** `status` 'active' means the default queue view (open and reviewing). */
export function useQueueQuery(community: string, status: ReportStatus | 'active') {
  return useQuery({
    queryKey: moderationKeys.queue(community, status),
    queryFn: () => api.moderation.queue({ params: { id: community }, query: { ...(status === 'active' ? {} : { status }), limit: 50 } }),
  });
}

export function useGlobalQueueQuery(status: ReportStatus | 'active') {
  return useQuery({
    queryKey: moderationKeys.globalQueue(status),
    queryFn: () => api.moderation.globalQueue({ query: { ...(status === 'active' ? {} : { status }), limit: 50 } }),
  });
}

export function useHeldQuery(community: string) {
  return useQuery({
    queryKey: moderationKeys.held(community),
    queryFn: () => api.moderation.held({ params: { id: community }, query: { limit: 50 } }),
  });
}

export function useSanctionsQuery(community: string) {
  return useQuery({
    queryKey: moderationKeys.sanctions(community),
    queryFn: () => api.moderation.sanctions({ params: { id: community }, query: { limit: 50 } }),
  });
}

export function useSiteSanctionsQuery() {
  return useQuery({ queryKey: moderationKeys.siteSanctions, queryFn: () => api.moderation.siteSanctions({ query: { limit: 50 } }) });
}

export function useWordsQuery(community: string) {
  return useQuery({ queryKey: moderationKeys.words(community), queryFn: () => api.moderation.words({ params: { id: community } }) });
}

export function useAuditQuery(community: string | null, filters: AuditFilters) {
  const query = { ...filters, action: filters.action as AuditAction, limit: 50 };
  return useQuery({
    queryKey: community ? moderationKeys.audit(community, filters) : moderationKeys.globalAudit(filters),
    queryFn: () => (community ? api.moderation.actions({ params: { id: community }, query }) : api.moderation.globalActions({ query })),
  });
}

export function useBadWordsQuery(q: string) {
  return useQuery({
    queryKey: moderationKeys.badWords(q),
    queryFn: () => api.moderation.badWords({ query: { ...(q ? { q } : {}), limit: 100 } }),
  });
}

/** Every moderation list may change after any moderation action: refresh them all (they are small). */
function useRefresh() {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: moderationKeys.all });
    void qc.invalidateQueries({ queryKey: communityKeys.all });
  };
}

export function useReportMutation() {
  return useMutation({
    mutationFn: (b: { target_type: ReportTargetType; target_id: number; community_id?: number; reason: Reason; note?: string }) =>
      api.moderation.report({ body: { ...b, ...(b.note ? { note: b.note } : { note: undefined }) } }),
  });
}

export function useUpdateReportMutation() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (v: { id: number; status?: ReportStatus; resolution_notes?: string }) =>
      api.moderation.updateReport({
        params: { reportId: v.id },
        body: { ...(v.status ? { status: v.status } : {}), ...(v.resolution_notes ? { resolution_notes: v.resolution_notes } : {}) },
      }),
    onSuccess: refresh,
  });
}

export function useContentActionMutation() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (b: {
      target_type: ContentTarget;
      target_id: number;
      action: 'delete' | 'hide' | 'restore' | 'approve' | 'reject';
      reason?: string;
    }) => api.moderation.contentAction({ body: b }),
    onSuccess: refresh,
  });
}

export type MemberAction =
  | { kind: 'mute'; minutes: number | null; reason: string }
  | { kind: 'ban'; minutes: number | null; reason: string }
  | { kind: 'lift' }
  | { kind: 'kick'; reason: string }
  | { kind: 'warn'; reason: string }
  | { kind: 'role'; role: string };

/** Sanctions on the members routes: mute/ban/lift through PATCH, kick through DELETE, warn through warnings. */
export function useMemberActionMutation(community: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: async ({ userId, action: a, in: other }: { userId: number; action: MemberAction; in?: string }) => {
      const params = { id: other ?? community, userId };
      if (a.kind === 'warn') return api.moderation.warn({ params, body: { reason: a.reason } });
      if (a.kind === 'kick') return api.communities.removeMember({ params, query: a.reason ? { reason: a.reason } : {} });
      if (a.kind === 'role') return api.communities.updateMember({ params, body: { role: a.role } });
      if (a.kind === 'lift') return api.communities.updateMember({ params, body: { status: 'active' } });
      return api.communities.updateMember({
        params,
        body: {
          status: a.kind === 'mute' ? 'muted' : 'banned',
          ...(a.reason ? { reason: a.reason } : {}),
          ...(a.minutes ? { duration_minutes: a.minutes } : {}),
        },
      });
    },
    onSuccess: refresh,
  });
}

export function useSaveWordsMutation(community: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (w: CommunityWords) => api.moderation.setWords({ params: { id: community }, body: w }),
    onSuccess: refresh,
  });
}

export function useAddBadWordsMutation() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (words: { word: string; severity: 'low' | 'medium' | 'high'; replacement: string | null }[]) =>
      api.moderation.addBadWords({ body: { words } }),
    onSuccess: refresh,
  });
}

export function useDeleteBadWordMutation() {
  const refresh = useRefresh();
  return useMutation({ mutationFn: (id: number) => api.moderation.deleteBadWord({ params: { wordId: id } }), onSuccess: refresh });
}

export function useLiftSiteSanctionMutation() {
  const refresh = useRefresh();
  return useMutation({ mutationFn: (id: number) => api.moderation.liftSiteSanction({ params: { sanctionId: id } }), onSuccess: refresh });
}

/** The audit log as CSV: fetched with the caller's credentials, then saved through a blob link. */
export async function downloadAuditCsv(community: string | null, filters: AuditFilters): Promise<void> {
  const query = { ...filters, action: filters.action as AuditAction };
  const blob = (await (community
    ? api.moderation.exportActions({ params: { id: community }, query })
    : api.moderation.exportGlobalActions({ query }))) as Blob;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `moderation-${community ?? 'site'}.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
