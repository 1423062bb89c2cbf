import type { Channel, DmThread } from '@communities/contract';
import { useState } from 'react';

import { Screen } from '../../components/screen';
import { TierSheet } from '../../components/tier-sheet';
import { ErrorState, Loading } from '../../components/states';
import { useAddon, useFeature } from '../../context';
import { useCommunityQuery, useMembershipMutation } from '../../state/queries/communities';

import { ChannelsTab } from './channels-tab';
import { CommunityDetailView, type DetailTab } from './CommunityDetailView';
import { LeaderboardView } from '../Leaderboard/LeaderboardView';
import { InsightsBody } from '../Insights';

import { CoursesTab } from './courses-tab';
import { FeedTab } from './feed-tab';
import { MembersTab } from './members-tab';

export interface CommunityDetailScreenProps {
  /** Community id or slug. */
  communityId: string | number;
  initialTab?: DetailTab;
  /** Open a channel (e.g. push ChannelScreen). */
  onOpenChannel?: (channel: Channel) => void;
  /** Open a linked course in the host app. */
  onOpenCourse?: (course: { id: number; url: string | null }) => void;
  /** Open a DM thread (e.g. push DMThreadScreen); members get a Message button when given. */
  onOpenThread?: (thread: DmThread) => void;
  pageSize?: number;
}

/** A community: metadata, membership, and tabs for its feed, channels, courses and members. */
export function CommunityDetailScreen(props: CommunityDetailScreenProps) {
  return (
    <Screen name="communities.detail" params={{ community_id: String(props.communityId) }} testID="community-detail-screen">
      <CommunityDetailBody {...props} />
    </Screen>
  );
}

function CommunityDetailBody({ communityId, initialTab, onOpenChannel, onOpenCourse, onOpenThread, pageSize }: CommunityDetailScreenProps) {
  const id = String(communityId);
  const { track } = useAddon();
  const feedOn = useFeature('central_feed');
  const channelsOn = useFeature('channels');
  const dmOn = useFeature('dm');
  const leaderboardOn = useFeature('leaderboard');
  const heatmapOn = useFeature('heatmap');
  const query = useCommunityQuery(id);
  const membership = useMembershipMutation();
  const [chosen, setChosen] = useState<DetailTab | undefined>(initialTab);
  // A paid community's Subscribe opens its tiers; buying one goes to the host's checkout (config.openCheckout).
  const [tiersOpen, setTiersOpen] = useState(false);
  if (query.status === 'pending') return <Loading />;
  if (query.status === 'error') return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const c = query.data;
  const tabs: DetailTab[] = [
    ...(feedOn && c.settings.feed_enabled ? (['feed'] as const) : []),
    ...(channelsOn && c.settings.chat_enabled ? (['channels'] as const) : []),
    'courses',
    // The server decides (members.browse): owners and moderators keep the roster when the owner hides it.
    ...(c.viewer_permissions.includes('members.browse') ? (['members'] as const) : []),
    ...(leaderboardOn && c.viewer_permissions.includes('feed.read') ? (['leaderboard'] as const) : []),
    ...(heatmapOn && c.viewer_permissions.includes('analytics.view') ? (['insights'] as const) : []),
  ];
  const tab = chosen && tabs.includes(chosen) ? chosen : tabs[0]!;
  return (
    <CommunityDetailView
      community={c}
      tabs={tabs}
      tab={tab}
      onTab={(next) => {
        track('tap', 'communities.tab', { community_id: c.id, tab: next });
        setChosen(next);
      }}
      onMembership={(action, intro) => {
        track('tap', `communities.${action}`, { community_id: c.id });
        if (action === 'subscribe') setTiersOpen(true);
        else membership.mutate({ community: c, action, intro });
      }}
      membershipBusy={membership.isPending}
      membershipError={membership.error}
      onDismissMembershipError={() => membership.reset()}
    >
      {tiersOpen ? <TierSheet community={c} onClose={() => setTiersOpen(false)} /> : null}
      {tab === 'feed' ? (
        <FeedTab communityId={id} numericId={c.id} pageSize={pageSize} canPost={c.viewer_permissions.includes('feed.post')} />
      ) : tab === 'channels' ? (
        <ChannelsTab
          communityId={id}
          onOpenChannel={(ch) => {
            track('tap', 'channels.open', { channel_id: ch.id });
            onOpenChannel?.(ch);
          }}
        />
      ) : tab === 'insights' ? (
        <InsightsBody communityId={id} />
      ) : tab === 'leaderboard' ? (
        <LeaderboardView community={id} communityId={c.id} />
      ) : tab === 'courses' ? (
        <CoursesTab communityId={id} onOpenCourse={onOpenCourse} />
      ) : (
        <MembersTab
          communityId={id}
          pageSize={pageSize}
          canModerate={c.viewer_permissions.includes('members.manage')}
          communityNumericId={c.id}
          // Members message each other where the community allows it; the server has the last word.
          onOpenThread={
            dmOn && c.settings.dms_between_members && (c.viewer_membership?.status === 'active' || c.viewer_membership?.status === 'muted')
              ? onOpenThread
              : undefined
          }
        />
      )}
    </CommunityDetailView>
  );
}
