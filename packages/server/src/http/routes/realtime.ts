import { endpoints } from '@communities/contract';

import type { ChannelAuthorizer } from '../../realtime/authorize';
import { route, type RouteSpec } from '../route';

export function realtimeRoutes(authorizer: ChannelAuthorizer): RouteSpec[] {
  return [
    route({
      endpoint: endpoints.realtime.auth,
      rateLimit: 'channel_auth',
      form: true,
      handler: ({ viewer, body }) => authorizer.sign(viewer, body.socket_id, body.channel_name),
    }),
  ];
}
