import { endpoints } from '@communities/contract';

import type { ChannelAuthorizer } from '../../realtime/authorize';
import { route, type RouteSpec } from '../route';

export function realtimeRoutes(authorizer: ChannelAuthorizer): RouteSpec[] {
  return [
    route({
      endpoint: endpoints.realtime.auth,
      access: { action: ['channel.view', 'dm.read', 'members.list'] },
      rateLimit: 'channel_auth',
      form: true,
      handler: ({ viewer, body }) => authorizer.sign(viewer, body.socket_id, body.channel_name),
    }),
  ];
}
