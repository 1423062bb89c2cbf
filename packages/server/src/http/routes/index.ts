import type { AppContext } from '../../context';
import type { RouteSpec } from '../route';

import { channelRoutes, dmRoutes } from './chat';
import { communityRoutes } from './communities';
import { feedRoutes } from './feed';
import { realtimeRoutes } from './realtime';
import { systemRoutes } from './system';
import { uploadRoutes } from './uploads';

/** Every contract route of every domain. Feature-gated endpoints are skipped at registration. */
export function allRoutes(ctx: AppContext): RouteSpec[] {
  return [
    ...systemRoutes(ctx),
    ...communityRoutes(ctx, ctx.services.communities),
    ...feedRoutes(ctx.services.communities.feed),
    ...channelRoutes(ctx.services.chat),
    ...dmRoutes(ctx.services.chat),
    ...uploadRoutes(ctx.services.uploads, ctx.config.file_scanner.upload_stall_seconds),
    ...realtimeRoutes(ctx.services.channelAuth),
  ];
}
