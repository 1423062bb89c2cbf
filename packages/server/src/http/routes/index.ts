import type { AppContext } from '../../context';
import type { FeatureTable } from '../app';
import type { RouteSpec } from '../route';

import { analyticsRoutes } from './analytics';
import { adminRoutes } from './admin';
import { channelRoutes, dmRoutes } from './chat';
import { communityRoutes } from './communities';
import { feedRoutes } from './feed';
import { moderationRoutes } from './moderation';
import { notificationRoutes } from './notifications';
import { gamificationRoutes } from './gamification';
import { realtimeRoutes } from './realtime';
import { searchRoutes } from './search';
import { systemRoutes } from './system';
import { uploadRoutes } from './uploads';

/**
 * Every contract route of every domain. Feature-gated endpoints are skipped at registration,
 * which marks the features the registered ones serve in `features` (what GET /features reports):
 * an endpoint's own `feature`, and a route's `serves` for code behind it that is not a route.
 * `chatroom` has no code yet,
 * so they read off whatever the config says.
 */
export function allRoutes(ctx: AppContext, features: FeatureTable): RouteSpec[] {
  // Uploads are scanned when a real scanner runs; the null scanner passes every file unscanned.
  const scanned = ctx.services.uploads.scanner.name !== 'null';
  const uploads = uploadRoutes(ctx.services.uploads, ctx.config.file_scanner.upload_stall_seconds).map((r): RouteSpec =>
    scanned ? { ...r, serves: ['file_scanning'] } : r,
  );
  return [
    ...systemRoutes(ctx, features),
    ...communityRoutes(ctx, ctx.services.communities),
    ...feedRoutes(ctx.services.communities.feed),
    ...channelRoutes(ctx.services.chat),
    ...dmRoutes(ctx.services.chat),
    ...uploads,
    ...realtimeRoutes(ctx.services.channelAuth),
    ...moderationRoutes(ctx.services.moderation),
    ...gamificationRoutes(ctx.services.gamification.service, ctx.config.features.central_feed),
    ...analyticsRoutes(ctx.services.analytics),
    ...notificationRoutes(ctx.services.notifications),
    ...adminRoutes(ctx),
    ...searchRoutes(ctx.services.search),
  ];
}
