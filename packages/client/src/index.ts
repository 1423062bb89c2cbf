export { ApiError, createApi, type Api, type ApiOptions, type TokenProvider } from './api';
export {
  createRealtime,
  watchMessages,
  type ChangesRequest,
  type MessageStream,
  type MessageStreamOptions,
  type Realtime,
  type RealtimeOptions,
} from './realtime';
