import type { CommunitiesConfig } from '@communities/contract';

import type { FactsLoader } from '../communities/facts';
import type { HostPorts } from '../host/ports';
import type { EventBus } from '../platform/bus';
import type { Clock } from '../platform/clock';
import type { Db } from '../platform/db/connect';
import type { Logger } from '../platform/logger';
import type { Queue } from '../platform/queue';
import type { Broadcaster } from '../realtime/broadcaster';

/** The collaborators moderation services use (the composition root satisfies it). */
export interface ModerationDeps {
  config: CommunitiesConfig;
  logger: Logger;
  clock: Clock;
  db: Db;
  host: HostPorts;
  bus: EventBus;
  broadcaster: Broadcaster;
  queue: Queue;
  facts: FactsLoader;
}
