export {
  defaultTheme,
  type AnalyticsEvent,
  type CheckoutRequest,
  type CommunitiesAddonConfig,
  type CommunitiesTheme,
  type PickedFile,
} from './config';
export { buildMenu, type MenuCounts, type MenuItem, type MenuRoute } from './menu';
export { CommunitiesProvider, createQueryClient, type CommunitiesProviderProps } from './provider';
export { useAddon, useFeature } from './context';
export { useCommunitiesMenu, useNotificationBadge } from './hooks';
export { bundledLocales, type Translations } from './i18n';
export { useDmUnreadQuery } from './state/queries/dm';
export { CommunityListScreen, type CommunityListScreenProps } from './screens/CommunityList';
export { CommunityDetailScreen, type CommunityDetailScreenProps } from './screens/CommunityDetail';
export { ChannelScreen, type ChannelScreenProps } from './screens/Channel';
export { DMInboxScreen, type DMInboxScreenProps } from './screens/DMInbox';
export { DMThreadScreen, type DMThreadScreenProps } from './screens/DMThread';
export { ConversationMachine, type ConversationIO, type ConversationSnapshot, type PendingMessage } from '@communities/client';
export { LeaderboardScreen, type LeaderboardScreenProps } from './screens/Leaderboard';
export { ProfileSheet } from './components/profile-sheet';
export { LevelChip } from './components/level-chip';
export { ModerationQueueScreen, type ModerationQueueScreenProps } from './screens/ModerationQueue';
export { InsightsScreen, type InsightsScreenProps } from './screens/Insights';
export { HeatmapView } from './components/heatmap-view';
export { CreateCommunityScreen, type CreateCommunityScreenProps } from './screens/CreateCommunity';
export { JoinRequestsScreen, type JoinRequestsScreenProps } from './screens/JoinRequests';
export { NotificationsScreen, type NotificationsScreenProps } from './screens/Notifications';
export { SearchScreen, type SearchScreenProps } from './screens/Search';
