import type { EndpointRegistry } from './endpoint';
import { system } from './endpoints/system';

/**
 * Every API method, grouped by domain. The server registers exactly these, the client
 * exposes exactly these, and docs/API.md lists exactly these.
 */
export const endpoints = {
  system,
} as const satisfies EndpointRegistry;
export type Endpoints = typeof endpoints;
