import { communityKeys, moderationKeys } from '@communities/client';
import type { ReportStatus } from '@communities/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { useAddon } from '../../context';

/** A community's open queue (open and reviewing reports), newest first. */
export function useQueueQuery(communityId: string) {
  const { api } = useAddon();
  return useQuery({
    queryKey: moderationKeys.queue(communityId, 'active'),
    queryFn: ({ signal }) => api.moderation.queue({ params: { id: communityId }, query: { limit: 50 } }, { signal }),
  });
}

export type QueueAction =
  | { kind: 'status'; status: ReportStatus; notes: string }
  | { kind: 'delete'; notes: string }
  | { kind: 'mute'; userId: number; minutes: number; notes: string };

/** One-tap queue actions; each resolves or dismisses the report with a note for the reporter. */
export function useQueueActionMutation(communityId: string) {
  const { api } = useAddon();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ report, action }: { report: { id: number; target: { type: string; id: number } }; action: QueueAction }) => {
      if (action.kind === 'delete')
        await api.moderation.contentAction({
          body: {
            target_type: report.target.type as 'channel_message',
            target_id: report.target.id,
            action: 'delete',
            reason: action.notes,
          },
        });
      if (action.kind === 'mute')
        await api.communities.updateMember({
          params: { id: communityId, userId: action.userId },
          body: { status: 'muted', reason: action.notes, duration_minutes: action.minutes },
        });
      return api.moderation.updateReport({
        params: { reportId: report.id },
        body: { status: action.kind === 'status' ? action.status : 'resolved', resolution_notes: action.notes },
      });
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: moderationKeys.all });
      void qc.invalidateQueries({ queryKey: communityKeys.all });
    },
  });
}

/** The word list for the local quick check (only where the server's bad_word_filter feature is on). */
export function useWordListQuery(communityId: number, enabled: boolean) {
  const { api } = useAddon();
  return useQuery({
    queryKey: moderationKeys.wordList(communityId),
    queryFn: ({ signal }) => api.moderation.wordList({ query: { community_id: communityId } }, { signal }),
    enabled,
    staleTime: 5 * 60_000,
  });
}
