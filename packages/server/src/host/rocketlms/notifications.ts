import type { Kysely } from 'kysely';

import type { HostNotification, NotificationPort } from '../ports';

import type { HostDatabase } from './schema';

/**
 * Delivers a notification: our in-app record (through `writeInApp`) and/or a row in RocketLMS's
 * own `notifications` table, so it shows in the host's notification centre too.
 */
export class RocketNotifications implements NotificationPort {
  constructor(
    private readonly db: Kysely<HostDatabase>,
    private readonly opts: {
      channel: 'addon' | 'rocketlms' | 'both';
      now: () => Date;
      writeInApp?: ((n: HostNotification) => Promise<void>) | undefined;
    },
  ) {}

  async notify(n: HostNotification): Promise<void> {
    if (this.opts.channel !== 'rocketlms' && this.opts.writeInApp) await this.opts.writeInApp(n);
    if (this.opts.channel === 'addon') return;
    await this.db
      .insertInto('notifications')
      .values({
        user_id: n.userId,
        sender_id: null,
        group_id: null,
        title: n.title.slice(0, 255),
        message: n.message,
        sender: 'system',
        type: 'single',
        created_at: Math.floor(this.opts.now().getTime() / 1000),
      })
      .execute();
  }
}
