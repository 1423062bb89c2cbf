import type { CommunitiesConfig } from '@communities/contract';

import type { HostPorts } from '../host/ports';
import type { EventBus } from '../platform/bus';
import type { Clock } from '../platform/clock';
import type { Db } from '../platform/db/connect';
import type { Logger } from '../platform/logger';
import type { Broadcaster } from '../realtime/broadcaster';
import type { RealtimeRevoker } from '../realtime/revoke';
import type { ContentCheck } from '../chat/content-check';
import type { UploadService } from '../security/uploads/service';

/**
 * The collaborators community services use. The composition root (context.ts's AppContext)
 * satisfies it; each service takes a Pick of the ones it reads. Nothing under communities/
 * imports context.ts (eslint.config.js enforces it), so the services stay out of its import cycle.
 */
export interface CommunityDeps {
  config: CommunitiesConfig;
  clock: Clock;
  db: Db;
  host: HostPorts;
  bus: EventBus;
  /** Feed pushes after commit (the built-in gateway replaces it at start: read it when used). */
  broadcaster: Broadcaster;
  logger: Logger;
  revoker: RealtimeRevoker;
  /** Paid tiers and course access from RocketLMS sales ("Check my purchase" runs it for one user). */
  paidAccess: PaidAccessPort;
  /** The upload service is wired after the domain services (it uses them): read it when used, never at construction. */
  services: { readonly uploads: UploadService; readonly chat: { readonly contentCheck: ContentCheck } };
}

/** What the domain services ask of the paid-access sync (communities/paid-access.ts implements it). */
export interface PaidAccessPort {
  checkUser(communityId: number, userId: number): Promise<unknown>;
  /** Tells the member of a subscription an owner granted (realtime and notifications). */
  granted(subscriptionId: number): Promise<void>;
}
