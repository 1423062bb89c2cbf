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

  /** Many rows in few statements (an announcement to a whole community). */
  async notifyMany(ns: HostNotification[]): Promise<void> {
    if (this.opts.channel !== 'rocketlms' && this.opts.writeInApp) for (const n of ns) await this.opts.writeInApp(n);
    if (this.opts.channel === 'addon') return;
    const at = Math.floor(this.opts.now().getTime() / 1000);
    for (let i = 0; i < ns.length; i += 500)
      await this.db
        .insertInto('notifications')
        .values(
          ns.slice(i, i + 500).map((n) => ({
            user_id: n.userId,
            sender_id: null,
            group_id: null,
            title: n.title.slice(0, 255),
            message: n.message,
            sender: 'system' as const,
            type: 'single' as const,
            created_at: at,
          })),
        )
        .execute();
  }

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
