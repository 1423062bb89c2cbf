export { ApiError, createApi, type Api, type ApiOptions, type TokenProvider } from './api';
export { onEvent, type InvalidRealtimeEvent, type OnEventOptions, type RealtimeEventSource } from './events';
export {
  createRealtime,
  pageChanges,
  watchMessages,
  type ChangesPage,
  type ChangesRequest,
  type MessageStream,
  type MessageStreamOptions,
  type Realtime,
  type RealtimeOptions,
} from './realtime';
export {
  analyticsKeys,
  adminKeys,
  channelKeys,
  communityKeys,
  wizardKeys,
  type AdminCommunityFilters,
  dmKeys,
  feedKeys,
  gamificationKeys,
  moderationKeys,
  systemKeys,
  type AnalyticsFilters,
  type AuditFilters,
  type HeatmapFilters,
  type CommunityListFilters,
} from './query-keys';
export * from './conversation/index';
export { richTextTree } from './rich-text-cache';
export * from './feed-cache';
export * from './notification-prefs';
export { searchPeople, type Person } from './people';
export { calendarCells, heatLevel, type CalendarCell } from './heatmap';
export * from './heatmap-layout';
export { buyableTiers, formatPrice, joinLabelKey, type BuyableTier, type PricePoint } from './pricing';
export * from './wizard';
