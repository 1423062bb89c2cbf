import { REALTIME_EVENTS } from '@communities/contract';

import type { FactsLoader } from '../communities/facts';

import { authorCache } from './authors';
import { ChannelMessageService } from './channel-messages';
import { ChannelService } from './channels';
import { passAllContent, type ContentCheck } from './content-check';
import type { ChatDeps } from './deps';
import { DmService } from './dms';
import { ChatPublisher } from './publish';

export type { ContentCheck, ContentVerdict } from './content-check';

export interface ChatServices {
  channels: ChannelService;
  messages: ChannelMessageService;
  dms: DmService;
  /** The posting pipeline's content check; moderation replaces it. */
  contentCheck: ContentCheck;
}

export function createChatServices(ctx: ChatDeps, facts: FactsLoader): ChatServices {
  const publish = new ChatPublisher(ctx);
  const services: ChatServices = {
    contentCheck: passAllContent,
    channels: undefined as unknown as ChannelService,
    messages: undefined as unknown as ChannelMessageService,
    dms: undefined as unknown as DmService,
  };
  const check = () => services.contentCheck;
  services.channels = new ChannelService(ctx, facts, publish, ctx.revoker, check);
  services.messages = new ChannelMessageService(ctx, facts, services.channels, publish, check);
  services.dms = new DmService(ctx, facts, publish, check, ctx.revoker);
  // A ban the host sync sees reaches the authors message pages show at once, as it reaches sign-in.
  ctx.bus.subscribe('UserBanned', (e) => authorCache(ctx).forget(e.payload.user_id));
  // Member lists and online panels follow joins and leaves live.
  ctx.bus.subscribe('CommunityJoined', (e) =>
    publish.toCommunity(e.payload.community_id, REALTIME_EVENTS.memberJoined, { user_id: e.payload.user_id }),
  );
  ctx.bus.subscribe('CommunityLeft', (e) =>
    publish.toCommunity(e.payload.community_id, REALTIME_EVENTS.memberLeft, { user_id: e.payload.user_id }),
  );
  return services;
}
