import { realtimeChannel } from '@communities/contract';

import type { AppContext } from '../../context';
import { createScanner } from '../scanners';
import { createStorage } from '../storage';

import { SCAN_JOB, UploadService, type AttachmentKind } from './service';

export function createUploadService(ctx: AppContext): UploadService {
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
      publishToUser: (userId, event, data) => {
        ctx.broadcaster
          .publish([realtimeChannel.user(ctx.config.chat.broadcast_channel_prefix, userId)], event, data)
          .catch((error: unknown) => {
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
