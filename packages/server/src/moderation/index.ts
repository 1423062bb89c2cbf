import { REALTIME_EVENTS, realtimeChannel } from '@communities/contract';

import type { ChatServices } from '../chat';
import type { FeedService } from '../communities/feed/service';
import { publishEvent } from '../realtime/publish-event';

import { AuditLog } from './audit';
import { ModerationContentCheck } from './check';
import type { ModerationDeps } from './deps';
import { ModerationPublisher } from './present';
import { ReportService } from './reports';
import { EXPIRE_JOB, SanctionService } from './sanctions';
import { WordLists } from './word-lists';
import { WordService } from './words';

export { EXPIRE_JOB } from './sanctions';

export interface ModerationServices {
  lists: WordLists;
  check: ModerationContentCheck;
  reports: ReportService;
  audit: AuditLog;
  sanctions: SanctionService;
  words: WordService;
}

/**
 * Moderation, wired: the content check plugged into chat's posting pipeline (and the feed's),
 * the report announcer and sanction notices (after commit), the thresholds subscriber (durable),
 * and the expiry job.
 */
export function createModerationServices(
  ctx: ModerationDeps,
  chat: ChatServices,
  feed: Pick<FeedService, 'moderated'>,
): ModerationServices {
  const lists = new WordLists(ctx);
  const publish = new ModerationPublisher(ctx);
  const audit = new AuditLog(ctx);
  const check = new ModerationContentCheck(ctx, lists);
  const reports = new ReportService(ctx, audit, publish);
  const sanctions = new SanctionService(ctx, audit, publish, (id) => reports.moderatorsOf(id));
  const prefix = ctx.config.chat.broadcast_channel_prefix;
  const words = new WordService(ctx, lists, audit, async (type, id) => {
    if (type === 'channel_message') {
      const row = await ctx.db.db
        .selectFrom('channel_messages')
        .select(['channel_id', 'moderation_state', 'is_deleted'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return;
      // Hidden or deleted: gone from members' screens; approved or restored: shown again.
      if (row.is_deleted || row.moderation_state === 'hidden')
        await publishEvent(ctx, realtimeChannel.channel(prefix, row.channel_id), REALTIME_EVENTS.messageDeleted, {
          id,
          channel_id: row.channel_id,
        });
      else await chat.messages.touched(id);
    } else if (type === 'dm_message') {
      const row = await ctx.db.db
        .selectFrom('dm_messages')
        .select(['thread_id', 'moderation_state', 'is_deleted'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return;
      if (row.is_deleted || row.moderation_state === 'hidden')
        await publishEvent(ctx, realtimeChannel.dm(prefix, row.thread_id), REALTIME_EVENTS.messageDeleted, {
          id,
          thread_id: row.thread_id,
        });
      else await chat.dms.touched(id);
    } else await feed.moderated(type, id);
  });
  chat.contentCheck = check;
  ctx.bus.subscribe('ReportCreated', (e) => reports.announce(e.payload));
  ctx.bus.subscribe('UserMuted', (e) => sanctions.notify(e));
  ctx.bus.subscribe('UserBanned', (e) => sanctions.notify(e));
  ctx.bus.subscribe('UserWarned', (e) => sanctions.notify(e));
  ctx.bus.durable({ name: 'moderation.thresholds', events: ['ContentViolated'], handle: (e) => sanctions.onViolation(e as never) });
  ctx.queue.register(EXPIRE_JOB, async () => {
    const n = await sanctions.expireDue();
    if (n) ctx.logger.info({ lifted: n }, 'moderation: expired sanctions lifted');
  });
  return { lists, check, reports, audit, sanctions, words };
}
