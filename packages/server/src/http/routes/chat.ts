import { endpoints } from '@communities/contract';

import type { ChatServices } from '../../chat';
import { route, type RouteSpec } from '../route';

const ok = { ok: true as const };

export function channelRoutes(chat: ChatServices): RouteSpec[] {
  const e = endpoints.channels;
  const { channels, messages } = chat;
  return [
    route({
      endpoint: e.list,
      handler: ({ viewer, params }) => channels.list(viewer.actor, params.id),
    }),
    route({
      endpoint: e.create,
      handler: ({ viewer, params, body }) => channels.create(viewer.actor, params.id, body),
    }),
    route({
      endpoint: e.reorder,
      handler: ({ viewer, params, body }) => channels.reorder(viewer.actor, params.id, body),
    }),
    route({
      endpoint: e.get,
      handler: ({ viewer, params }) => channels.get(viewer.actor, params.channelId),
    }),
    route({
      endpoint: e.update,
      handler: ({ viewer, params, body }) => channels.update(viewer.actor, params.channelId, body),
    }),
    route({
      endpoint: e.overrides,
      handler: ({ viewer, params }) => channels.overrides(viewer.actor, params.channelId),
    }),
    route({
      endpoint: e.setOverride,
      handler: ({ viewer, params, body }) => channels.setOverride(viewer.actor, params.channelId, body),
    }),
    route({
      endpoint: e.remove,
      handler: async ({ viewer, params }) => {
        await channels.remove(viewer.actor, params.channelId);
        return ok;
      },
    }),
    route({
      endpoint: e.messages,
      handler: ({ viewer, params, query }) => messages.history(viewer.actor, params.channelId, query),
    }),
    route({
      endpoint: e.changes,
      handler: ({ viewer, params, query }) => messages.changes(viewer.actor, params.channelId, query),
    }),
    route({
      endpoint: e.pins,
      handler: ({ viewer, params }) => messages.pins(viewer.actor, params.channelId),
    }),
    route({
      endpoint: e.post,
      rateLimit: 'messages',
      handler: ({ viewer, params, body }) => messages.post(viewer.actor, viewer.user, params.channelId, body),
    }),
    route({
      endpoint: e.edit,
      handler: ({ viewer, params, body }) => messages.edit(viewer.actor, params.messageId, body.content),
    }),
    route({
      endpoint: e.removeMessage,
      handler: async ({ viewer, params }) => {
        await messages.remove(viewer.actor, params.messageId);
        return ok;
      },
    }),
    route({
      endpoint: e.pin,
      handler: ({ viewer, params }) => messages.setPinned(viewer.actor, params.messageId, true),
    }),
    route({
      endpoint: e.unpin,
      handler: ({ viewer, params }) => messages.setPinned(viewer.actor, params.messageId, false),
    }),
    route({
      endpoint: e.react,
      rateLimit: 'reactions',
      handler: ({ viewer, params, body }) => messages.react(viewer.actor, params.messageId, body.emoji),
    }),
    route({
      endpoint: e.read,
      rateLimit: 'read_markers',
      handler: ({ viewer, params, body }) => channels.markRead(viewer.actor, params.channelId, body.message_id),
    }),
  ];
}

export function dmRoutes(chat: ChatServices): RouteSpec[] {
  const e = endpoints.dm;
  const { dms } = chat;
  // The caller's own DM inbox, blocks or unread count: the service filters the rows to the caller.
  return [
    route({ endpoint: e.inbox, handler: ({ viewer, query }) => dms.inbox(viewer.actor, query) }),
    route({ endpoint: e.unread, handler: ({ viewer }) => dms.unread(viewer.actor) }),
    route({
      endpoint: e.start,
      rateLimit: 'dm_messages',
      handler: ({ viewer, body }) => dms.start(viewer.actor, body),
    }),
    route({
      endpoint: e.thread,
      handler: ({ viewer, params }) => dms.thread(viewer.actor, params.threadId),
    }),
    route({
      endpoint: e.rename,
      handler: ({ viewer, params, body }) => dms.rename(viewer.actor, params.threadId, body.title),
    }),
    route({
      endpoint: e.invite,
      handler: ({ viewer, params, body }) => dms.invite(viewer.actor, params.threadId, body.user_ids),
    }),
    route({
      endpoint: e.removeParticipant,
      handler: async ({ viewer, params }) => {
        await dms.removeParticipant(viewer.actor, params.threadId, params.userId);
        return ok;
      },
    }),
    route({
      endpoint: e.messages,
      handler: ({ viewer, params, query }) => dms.history(viewer.actor, params.threadId, query),
    }),
    route({
      endpoint: e.changes,
      handler: ({ viewer, params, query }) => dms.changes(viewer.actor, params.threadId, query),
    }),
    route({
      endpoint: e.post,
      rateLimit: 'dm_messages',
      handler: ({ viewer, params, body }) => dms.post(viewer.actor, viewer.user, params.threadId, body),
    }),
    route({
      endpoint: e.edit,
      handler: ({ viewer, params, body }) => dms.edit(viewer.actor, params.messageId, body.content),
    }),
    route({
      endpoint: e.removeMessage,
      handler: async ({ viewer, params }) => {
        await dms.remove(viewer.actor, params.messageId);
        return ok;
      },
    }),
    route({
      endpoint: e.react,
      rateLimit: 'reactions',
      handler: ({ viewer, params, body }) => dms.react(viewer.actor, params.messageId, body.emoji),
    }),
    route({
      endpoint: e.read,
      rateLimit: 'read_markers',
      handler: ({ viewer, params, body }) => dms.markRead(viewer.actor, params.threadId, body.message_id),
    }),
    route({ endpoint: e.blocks, handler: ({ viewer }) => dms.blocks(viewer.actor) }),
    route({
      endpoint: e.block,
      handler: async ({ viewer, params }) => {
        await dms.block(viewer.actor, params.userId);
        return ok;
      },
    }),
    route({
      endpoint: e.unblock,
      handler: async ({ viewer, params }) => {
        await dms.unblock(viewer.actor, params.userId);
        return ok;
      },
    }),
  ];
}
