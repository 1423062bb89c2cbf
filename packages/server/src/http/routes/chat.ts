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
      access: { action: 'channel.view' },
      handler: ({ viewer, params }) => channels.list(viewer.actor, params.id),
    }),
    route({
      endpoint: e.create,
      access: { action: 'channel.manage' },
      handler: ({ viewer, params, body }) => channels.create(viewer.actor, params.id, body),
    }),
    route({
      endpoint: e.reorder,
      access: { action: 'channel.manage' },
      handler: ({ viewer, params, body }) => channels.reorder(viewer.actor, params.id, body),
    }),
    route({
      endpoint: e.get,
      access: { action: 'channel.view' },
      handler: ({ viewer, params }) => channels.get(viewer.actor, params.channelId),
    }),
    route({
      endpoint: e.update,
      access: { action: 'channel.manage' },
      handler: ({ viewer, params, body }) => channels.update(viewer.actor, params.channelId, body),
    }),
    route({
      endpoint: e.remove,
      access: { action: 'channel.manage' },
      handler: async ({ viewer, params }) => {
        await channels.remove(viewer.actor, params.channelId);
        return ok;
      },
    }),
    route({
      endpoint: e.messages,
      access: { action: 'channel.view' },
      handler: ({ viewer, params, query }) => messages.history(viewer.actor, params.channelId, query),
    }),
    route({
      endpoint: e.changes,
      access: { action: 'channel.view' },
      handler: ({ viewer, params, query }) => messages.changes(viewer.actor, params.channelId, query),
    }),
    route({
      endpoint: e.pins,
      access: { action: 'channel.view' },
      handler: ({ viewer, params }) => messages.pins(viewer.actor, params.channelId),
    }),
    route({
      endpoint: e.post,
      access: { action: ['channel.post', 'channel.attach', 'channel.mention_everyone'] },
      rateLimit: 'messages',
      handler: ({ viewer, params, body }) => messages.post(viewer.actor, viewer.user, params.channelId, body),
    }),
    route({
      endpoint: e.edit,
      access: { action: 'channel.view' },
      handler: ({ viewer, params, body }) => messages.edit(viewer.actor, params.messageId, body.content),
    }),
    route({
      endpoint: e.removeMessage,
      access: { action: 'channel.delete_any' },
      handler: async ({ viewer, params }) => {
        await messages.remove(viewer.actor, params.messageId);
        return ok;
      },
    }),
    route({
      endpoint: e.pin,
      access: { action: 'channel.pin' },
      handler: ({ viewer, params }) => messages.setPinned(viewer.actor, params.messageId, true),
    }),
    route({
      endpoint: e.unpin,
      access: { action: 'channel.pin' },
      handler: ({ viewer, params }) => messages.setPinned(viewer.actor, params.messageId, false),
    }),
    route({
      endpoint: e.react,
      access: { action: 'channel.react' },
      rateLimit: 'reactions',
      handler: ({ viewer, params, body }) => messages.react(viewer.actor, params.messageId, body.emoji),
    }),
    route({
      endpoint: e.read,
      access: { action: 'channel.view' },
      rateLimit: 'read_markers',
      handler: ({ viewer, params, body }) => channels.markRead(viewer.actor, params.channelId, body.message_id),
    }),
  ];
}

export function dmRoutes(chat: ChatServices): RouteSpec[] {
  const e = endpoints.dm;
  const { dms } = chat;
  const own = { signedIn: "the caller's own DM inbox, blocks or unread count: rows are filtered to the caller" };
  return [
    route({ endpoint: e.inbox, access: own, handler: ({ viewer, query }) => dms.inbox(viewer.actor, query) }),
    route({ endpoint: e.unread, access: own, handler: ({ viewer }) => dms.unread(viewer.actor) }),
    route({
      endpoint: e.start,
      access: { action: 'dm.post' },
      rateLimit: 'dm_messages',
      handler: ({ viewer, body }) => dms.start(viewer.actor, body),
    }),
    route({
      endpoint: e.thread,
      access: { action: 'dm.read' },
      handler: ({ viewer, params }) => dms.thread(viewer.actor, params.threadId),
    }),
    route({
      endpoint: e.rename,
      access: { action: 'dm.manage' },
      handler: ({ viewer, params, body }) => dms.rename(viewer.actor, params.threadId, body.title),
    }),
    route({
      endpoint: e.invite,
      access: { action: 'dm.manage' },
      handler: ({ viewer, params, body }) => dms.invite(viewer.actor, params.threadId, body.user_ids),
    }),
    route({
      endpoint: e.removeParticipant,
      access: { action: 'dm.manage' },
      handler: async ({ viewer, params }) => {
        await dms.removeParticipant(viewer.actor, params.threadId, params.userId);
        return ok;
      },
    }),
    route({
      endpoint: e.messages,
      access: { action: 'dm.read' },
      handler: ({ viewer, params, query }) => dms.history(viewer.actor, params.threadId, query),
    }),
    route({
      endpoint: e.changes,
      access: { action: 'dm.read' },
      handler: ({ viewer, params, query }) => dms.changes(viewer.actor, params.threadId, query),
    }),
    route({
      endpoint: e.post,
      access: { action: 'dm.post' },
      rateLimit: 'dm_messages',
      handler: ({ viewer, params, body }) => dms.post(viewer.actor, viewer.user, params.threadId, body),
    }),
    route({
      endpoint: e.edit,
      access: { action: 'dm.post' },
      handler: ({ viewer, params, body }) => dms.edit(viewer.actor, params.messageId, body.content),
    }),
    route({
      endpoint: e.removeMessage,
      access: { action: 'dm.read' },
      handler: async ({ viewer, params }) => {
        await dms.remove(viewer.actor, params.messageId);
        return ok;
      },
    }),
    route({
      endpoint: e.react,
      access: { action: 'dm.post' },
      rateLimit: 'reactions',
      handler: ({ viewer, params, body }) => dms.react(viewer.actor, params.messageId, body.emoji),
    }),
    route({
      endpoint: e.read,
      access: { action: 'dm.read' },
      rateLimit: 'read_markers',
      handler: ({ viewer, params, body }) => dms.markRead(viewer.actor, params.threadId, body.message_id),
    }),
    route({ endpoint: e.blocks, access: own, handler: ({ viewer }) => dms.blocks(viewer.actor) }),
    route({
      endpoint: e.block,
      access: own,
      handler: async ({ viewer, params }) => {
        await dms.block(viewer.actor, params.userId);
        return ok;
      },
    }),
    route({
      endpoint: e.unblock,
      access: own,
      handler: async ({ viewer, params }) => {
        await dms.unblock(viewer.actor, params.userId);
        return ok;
      },
    }),
  ];
}
