export { ApiError, createApi, type Api, type ApiOptions, type TokenProvider } from './api';
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
  channelKeys,
  communityKeys,
  dmKeys,
  feedKeys,
  moderationKeys,
  systemKeys,
  type AuditFilters,
  type CommunityListFilters,
} from './query-keys';
