export { ApiError, createApi, type Api, type ApiOptions, type TokenProvider } from './api';
