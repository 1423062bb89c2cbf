import { sql, type Kysely } from 'kysely';

import { connect, type ConnectOptions, type Db } from '../../platform/db/connect';
import type { GlobalRole, HostNotification, HostPorts } from '../ports';

import { RocketCourseAccess } from './access';
import { RocketCompletions } from './completions';
import { RocketCourses } from './courses';
import { RocketIdentities } from './identities';
import { RocketNotifications } from './notifications';
import { RocketPurchases } from './purchases';
import type { HostDatabase } from './schema';

export interface RocketHostOptions {
  db: Kysely<HostDatabase>;
  baseUrl: string;
  roleMap: Record<string, GlobalRole>;
  defaultLocale: string;
  notificationChannel: 'addon' | 'rocketlms' | 'both';
  writeInApp?: (this: void, n: HostNotification) => Promise<void>;
  now?: () => Date;
}

/** The host ports over RocketLMS's tables: a real RocketLMS database or the demo school's. */
export function createRocketLmsHost(opts: RocketHostOptions): HostPorts {
  const now = opts.now ?? (() => new Date());
  return {
    identities: new RocketIdentities(opts.db, { baseUrl: opts.baseUrl, roleMap: opts.roleMap, now }),
    courses: new RocketCourses(opts.db, { baseUrl: opts.baseUrl, defaultLocale: opts.defaultLocale }),
    access: new RocketCourseAccess(opts.db, now),
    completions: new RocketCompletions(opts.db),
    notifications: new RocketNotifications(opts.db, { channel: opts.notificationChannel, now, writeInApp: opts.writeInApp }),
    purchases: new RocketPurchases(opts.db, { baseUrl: opts.baseUrl, defaultLocale: opts.defaultLocale }),
    async ping() {
      await sql`select 1`.execute(opts.db);
    },
    // The connection belongs to whoever opened it (context.ts); nothing to release here.
    close: () => Promise.resolve(),
  };
}

/** A connection to RocketLMS's own database (host tables are never prefixed). */
export function openHostDb(
  url: string,
  options: Omit<ConnectOptions, 'prefix'> = {},
): { db: Kysely<HostDatabase>; gate: Db['gate']; destroy: () => Promise<void> } {
  const d = connect(url, options);
  return { db: d.db as unknown as Kysely<HostDatabase>, gate: d.gate, destroy: () => d.destroy() };
}
