import type { EndpointRegistry } from './endpoint';
import { admin } from './endpoints/admin';
import { channels, dm } from './endpoints/chat';
import { communities } from './endpoints/communities';
import { feed } from './endpoints/feed';
import { moderation } from './endpoints/moderation';
import { notifications } from './endpoints/notifications';
import { gamification } from './endpoints/gamification';
import { analytics } from './endpoints/analytics';
import { realtime } from './endpoints/realtime';
import { search } from './endpoints/search';
import { system } from './endpoints/system';
import { uploads } from './endpoints/uploads';

/**
 * Every API method, grouped by domain. The server registers exactly these, the client
 * exposes exactly these, and docs/API.md lists exactly these.
 */
export const endpoints = {
  system,
  communities,
  feed,
  channels,
  dm,
  uploads,
  realtime,
  moderation,
  gamification,
  analytics,
  notifications,
  admin,
  search,
} as const satisfies EndpointRegistry;
export type Endpoints = typeof endpoints;
