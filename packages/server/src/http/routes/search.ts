import { endpoints } from '@communities/contract';

import type { SearchService } from '../../search';
import { route, type RouteSpec } from '../route';

export function searchRoutes(search: SearchService): RouteSpec[] {
  return [
    route({
      endpoint: endpoints.search.search,
      rateLimit: 'search',
      handler: ({ viewer, query }) => search.search(viewer.actor, query),
    }),
  ];
}
