import { endpoints } from '@communities/contract';

import type { NotificationService } from '../../notifications/service';
import { route, type RouteSpec } from '../route';

export function notificationRoutes(n: NotificationService): RouteSpec[] {
  const e = endpoints.notifications;
  return [
    route({ endpoint: e.list, handler: ({ viewer, query }) => n.list(viewer.actor, query) }),
    route({ endpoint: e.markRead, handler: ({ viewer, body }) => n.markRead(viewer.actor, body) }),
    route({ endpoint: e.preferences, handler: ({ viewer }) => n.preferences(viewer.actor) }),
    route({ endpoint: e.updatePreferences, handler: ({ viewer, body }) => n.updatePreferences(viewer.actor, body) }),
  ];
}
