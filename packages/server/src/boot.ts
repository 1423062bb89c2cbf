import type { CommunitiesConfig } from '@communities/contract';

import { seedDemoCommunities } from './communities/demo-seed';
import { createContext, type AppContext, type ContextOptions } from './context';
import { createDemoSchema } from './host/demo/ddl';
import { seedDemoSchool, type DemoSchool } from './host/demo/seed';
import { migrateToLatest } from './platform/db/migrate';
import { withDemoSecrets } from './platform/demo-secrets';

export interface Booted {
  ctx: AppContext;
  demo: DemoSchool | null;
}

/**
 * Everything `npm start` does before listening: migrate, and in demo mode create and seed the
 * RocketLMS-shaped demo school (idempotent) so the addon reads it like a real host.
 */
export async function boot(
  config: CommunitiesConfig,
  options: ContextOptions & { seedDemo?: boolean; seedContent?: boolean } = {},
): Promise<Booted> {
  const ctx = await createContext(withDemoSecrets(config), options);
  try {
    await migrateToLatest(ctx.db, (m) => ctx.logger.info({ migration: m.name, ms: m.ms }, 'migration applied'));
    ctx.bus.start();
    // Admins' runtime settings over the file's, before anything serves; then kept in step with other processes.
    await ctx.services.settings.start();
    let demo: DemoSchool | null = null;
    if (ctx.config.demo && ctx.config.host.adapter === 'demo' && options.seedDemo !== false) {
      if (ctx.db.dialect === 'postgres' && !ctx.config.host.database_url) {
        throw new Error('The demo school needs SQLite or MariaDB (RocketLMS is MySQL); set host.database_url or use sqlite://');
      }
      await createDemoSchema(ctx.hostDb, ctx.db.dialect === 'mysql' ? 'mysql' : 'sqlite');
      demo = await seedDemoSchool(ctx.hostDb, { now: ctx.clock.now() });
      if (options.seedContent !== false) await seedDemoCommunities(ctx, demo);
    }
    return { ctx, demo };
  } catch (error) {
    await ctx.close();
    throw error;
  }
}
