import { z } from 'zod';

import { endpoint } from '../endpoint';

export const realtime = {
  auth: endpoint({
    method: 'POST',
    path: '/api/communities/broadcasting/auth',
    summary: 'Sign a private or presence channel subscription (Pusher protocol), after the access engine allows it',
    tag: 'realtime',
    body: z
      .object({
        socket_id: z.string().regex(/^\d{1,16}\.\d{1,16}$/, 'a Pusher socket id such as 1234.5678'),
        channel_name: z.string().min(1).max(200),
      })
      .strip(),
    response: z.object({ auth: z.string(), channel_data: z.string().optional() }),
    errors: ['forbidden', 'not_found'],
  }),
} as const;
