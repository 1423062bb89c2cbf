import type { CommunitiesConfig } from '@communities/contract';

import { seedDemoCommunities } from './communities/demo-seed';
import { createContext, type AppContext, type ContextOptions } from './context';
import { createDemoSchema } from './host/demo/ddl';
import { seedDemoSchool, type DemoSchool } from './host/demo/seed';
import { migrateToLatest, migrationStatus } from './platform/db/migrate';
import { withDemoSecrets } from './platform/demo-secrets';

export interface Booted {
  ctx: AppContext;
  demo: DemoSchool | null;
}

export interface BootOptions extends ContextOptions {
  seedDemo?: boolean;
  seedContent?: boolean;
  /**
   * What this process plays (`serve --roles`; all three by default). Only processes with the
   * api or worker role migrate and seed; a gateway alone waits for the schema instead. Only
   * workers deliver durable events (the outbox dispatcher).
   */
  roles?: ReadonlySet<'api' | 'gateway' | 'worker'>;
  /** How long a gateway alone waits for another process to migrate the database. */
  schemaWaitMs?: number;
}

/**
 * Everything `npm start` does before listening: migrate, and in demo mode create and seed the
 * RocketLMS-shaped demo school (idempotent) so the addon reads it like a real host.
 */
export async function boot(config: CommunitiesConfig, options: BootOptions = {}): Promise<Booted> {
  const ctx = await createContext(withDemoSecrets(config), options);
  const roles = options.roles ?? new Set(['api', 'gateway', 'worker'] as const);
  const writes = roles.has('api') || roles.has('worker');
  try {
    if (writes) await migrateToLatest(ctx.db, (m) => ctx.logger.info({ migration: m.name, ms: m.ms }, 'migration applied'));
    else await awaitSchema(ctx, options.schemaWaitMs ?? 120_000);
    if (roles.has('worker')) ctx.bus.start();
    // Admins' runtime settings over the file's, before anything serves; then kept in step with other processes.
    await ctx.services.settings.start();
    let demo: DemoSchool | null = null;
    if (writes && ctx.config.demo && ctx.config.host.adapter === 'demo' && options.seedDemo !== false) {
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

/** A gateway alone never changes the schema: it waits until a process that migrates has. */
async function awaitSchema(ctx: AppContext, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const pending = await migrationStatus(ctx.db).then(
      (list) => list.filter((m) => m.executedAt === null).map((m) => m.name),
      // No bookkeeping table yet: nothing is migrated.
      () => ['all'],
    );
    if (pending.length === 0) return;
    if (Date.now() >= deadline)
      throw new Error(
        `the database is not migrated (pending: ${pending.join(', ')}): run \`communities migrate\` or start a process with the api or worker role`,
      );
    if (!told) ctx.logger.info({ pending }, 'waiting for another process to migrate the database');
    told = true;
    await new Promise((r) => setTimeout(r, 500));
  }
}
