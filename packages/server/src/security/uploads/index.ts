import { realtimeChannel, REALTIME_EVENTS, type CommunitiesConfig } from '@communities/contract';

import { memberWithRoleQuery, type FactsLoader } from '../../communities/facts';
import type { HostPorts } from '../../host/ports';
import type { EventBus } from '../../platform/bus';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db/connect';
import type { ContentCheck } from '../../chat/content-check';
import { AppError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { Queue } from '../../platform/queue';
import type { Broadcaster } from '../../realtime/broadcaster';
import { publishEvent } from '../../realtime/publish-event';
import { createScanner } from '../scanners';
import { createStorage } from '../storage';

import { SCAN_JOB, UploadService, type AttachmentKind } from './service';

/** The collaborators the upload service is wired from; the composition root's AppContext satisfies it. */
export interface UploadDeps {
  config: CommunitiesConfig;
  logger: Logger;
  clock: Clock;
  db: Db;
  host: HostPorts;
  bus: EventBus;
  queue: Queue;
  broadcaster: Broadcaster;
  services: {
    /** A feed post's attachment scan ends by pushing the post again. */
    communities: { facts: FactsLoader; feed: { attachmentScanned(feedItemId: number): Promise<void> } };
    /** Attachment scans end by refreshing the message that carries them. */
    chat: {
      messages: { touched(messageId: number): Promise<void> };
      dms: { touched(messageId: number): Promise<void> };
      contentCheck: ContentCheck;
    };
  };
}

/**
 * Who hears about an infected upload: the moderators and owner of the community it was shared
 * in, or the school's admins when it was not shared yet (or went to a DM, which moderators
 * do not read).
 */
async function moderatorsFor(ctx: Pick<UploadDeps, 'db' | 'host'>, kind: AttachmentKind, id: number): Promise<number[]> {
  const db = ctx.db.db;
  let communityId: number | null = null;
  if (kind === 'channel') {
    const row = await db
      .selectFrom('channel_message_attachments')
      .leftJoin('channel_messages', 'channel_messages.id', 'channel_message_attachments.message_id')
      .leftJoin('channels', 'channels.id', 'channel_messages.channel_id')
      .leftJoin('central_feed_items', 'central_feed_items.id', 'channel_message_attachments.feed_item_id')
      .select(['channels.community_id as via_channel', 'central_feed_items.community_id as via_feed'])
      .where('channel_message_attachments.id', '=', id)
      .executeTakeFirst();
    communityId = row?.via_channel ?? row?.via_feed ?? null;
  }
  if (communityId !== null) {
    const members = await memberWithRoleQuery(db)
      .where('community_members.community_id', '=', communityId)
      .where('community_members.status', '=', 'active')
      .execute();
    const ids = members
      .filter((m) => m.role_slug === 'owner' || (JSON.parse(m.role_permissions || '[]') as string[]).includes('moderate'))
      .map((m) => m.user_id);
    if (ids.length) return ids;
  }
  return (await ctx.host.identities.admins(20)).map((u) => u.id);
}

export function createUploadService(ctx: UploadDeps): UploadService {
  const uploads = new UploadService({
    db: ctx.db.db,
    config: ctx.config,
    storage: createStorage(ctx.config),
    scanner: createScanner(ctx.config),
    queue: ctx.queue,
    bus: ctx.bus,
    clock: ctx.clock,
    logger: ctx.logger,
    facts: ctx.services.communities.facts,
    basePath: ctx.config.http.base_path,
    hooks: {
      // Read when used: moderation plugs its check into chat's pipeline after this is built.
      filterName: async (userId, name, kind) => {
        const v = await ctx.services.chat.contentCheck.check({
          content: name,
          userId,
          communityId: null,
          target: kind === 'dm' ? 'dm_thread' : 'file_name',
          field: 'file',
        });
        if (v.action === 'reject')
          throw new AppError('content_rejected', v.reason, {
            details: v.details,
            issues: [{ path: 'body.file', code: 'content_rejected', message: v.reason }],
          });
        return v.action === 'censor' ? v.content : name;
      },
      notifyModerators: async (a, signature) => {
        const to = await moderatorsFor(ctx, a.kind, a.id);
        const title = 'An upload was blocked: it contains malware';
        const message = `"${a.original_name}" matched ${signature ?? 'a malware signature'} and cannot be downloaded.`;
        for (const userId of to)
          await ctx.host.notifications.notify({ userId, title, message, type: 'file_flagged', data: { attachment: a.id, kind: a.kind } });
      },
      messageTouched: (kind, messageId) =>
        kind === 'channel' ? ctx.services.chat.messages.touched(messageId) : ctx.services.chat.dms.touched(messageId),
      feedItemTouched: (feedItemId) => ctx.services.communities.feed.attachmentScanned(feedItemId),
      publishScanned: (userId, attachment) => {
        publishEvent(
          ctx,
          realtimeChannel.user(ctx.config.chat.broadcast_channel_prefix, userId),
          REALTIME_EVENTS.uploadScanned,
          attachment,
        ).catch((error: unknown) => {
          ctx.logger.warn({ err: error }, 'could not push upload status');
        });
      },
    },
  });
  ctx.queue.register(SCAN_JOB, async (payload, job) => {
    const { kind, id } = payload as { kind: AttachmentKind; id: number };
    await uploads.scanOne(kind, id, job.attempt);
  });
  return uploads;
}
