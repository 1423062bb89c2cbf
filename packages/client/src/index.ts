export { ApiError, createApi, type Api, type ApiOptions, type TokenProvider } from './api';
export { createRealtime, type Realtime, type RealtimeOptions } from './realtime';
