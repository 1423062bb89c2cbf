#!/usr/bin/env node
import { Command } from 'commander';

import { rebuildStats } from '../analytics';
import { boot } from '../boot';
import { seedHistory } from '../chat/history-seed';
import { createContext } from '../context';
import { buildHttpServer } from '../http/server';
import { createDemoSchema } from '../host/demo/ddl';
import { seedDemoSchool } from '../host/demo/seed';
import { ConfigError, loadConfig } from '../platform/config';
import { migrateToLatest, migrationStatus } from '../platform/db/migrate';
import { assertDemoIsolated, assertRealSecrets, withDemoSecrets } from '../platform/demo-secrets';
import { formatVerifyReport, verifyGamification } from '../gamification/verify';
import { formatEventStatus } from '../platform/events';
import { formatQueueStatus } from '../platform/queue-status';
import { rebuildSearchIndex } from '../search';
import { startWorker } from '../worker';

import { checkRoles, DEFAULT_ROLES, parseRoles, RolesError } from './roles';

function config(opts: { config?: string }) {
  const given = loadConfig(opts.config ? { file: opts.config } : {});
  assertDemoIsolated(given);
  const c = withDemoSecrets(given);
  assertRealSecrets(c);
  return c;
}

async function withContext<T>(opts: { config?: string }, fn: (ctx: Awaited<ReturnType<typeof createContext>>) => Promise<T>): Promise<T> {
  const ctx = await createContext(config(opts));
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

const program = new Command('communities')
  .description('RocketLMS Communities')
  .option('-c, --config <file>', 'config file (default communities.config.json)');

async function printStatus(ctx: Awaited<ReturnType<typeof createContext>>): Promise<void> {
  const list = await migrationStatus(ctx.db);
  for (const m of list) console.log(`${m.executedAt ? `applied ${m.executedAt.toISOString()}` : 'pending'.padEnd(32)}  ${m.name}`);
  const pending = list.filter((m) => !m.executedAt).length;
  console.log(pending ? `${pending} pending: run \`communities migrate\`.` : 'Up to date.');
}

program
  .command('migrate')
  .description('apply every pending migration, printing each (a no-op when up to date); --status lists applied and pending ones')
  .option('--status', 'list applied and pending migrations instead of applying them')
  .action((opts: { status?: boolean }) =>
    withContext(program.opts(), async (ctx) => {
      if (opts.status) return printStatus(ctx);
      const where = ctx.db.prefix ? ` (table prefix "${ctx.db.prefix}")` : '';
      const applied = await migrateToLatest(ctx.db, (m) => console.log(`applied ${m.name}${where} in ${m.ms} ms`));
      if (applied.length === 0) console.log('Nothing to migrate: up to date.');
    }),
  );

program
  .command('migrate:status')
  .description('the same as migrate --status')
  .action(() => withContext(program.opts(), printStatus));

program
  .command('jobs:status')
  .description('background jobs: counts per kind and state, retries waiting out their backoff, dead jobs')
  .option('--limit <n>', 'how many retrying and dead jobs to list', '20')
  .option('--json', 'print the status as JSON')
  .action((opts: { limit: string; json?: boolean }) =>
    withContext(program.opts(), async (ctx) => {
      const limit = Math.max(1, Math.min(1000, Number.parseInt(opts.limit, 10) || 20));
      const status = await ctx.queue.status({ limit });
      console.log(opts.json ? JSON.stringify(status, null, 2) : formatQueueStatus(status));
    }),
  );

program
  .command('events:status')
  .description('domain event subscribers: events behind, oldest undelivered age, parked events, retries, which process delivers')
  .option('--json', 'print the status as JSON')
  .action((opts: { json?: boolean }) =>
    withContext(program.opts(), async (ctx) => {
      const status = await ctx.bus.status();
      console.log(opts.json ? JSON.stringify(status, null, 2) : formatEventStatus(status));
    }),
  );

program
  .command('search:rebuild')
  .description("rebuild the full-text search indexes from the rows they cover (PostgreSQL: also adds search.language's index)")
  .option('--json', 'print the report as JSON')
  .action((opts: { json?: boolean }) =>
    withContext(program.opts(), async (ctx) => {
      const report = await rebuildSearchIndex(ctx.db, ctx.config.search.language);
      if (opts.json) console.log(JSON.stringify(report, null, 2));
      else {
        for (const x of report.sources) console.log(`${x.table}: ${x.rows} rows indexed in ${x.ms} ms`);
        console.log(`Search indexes rebuilt (${report.dialect}).`);
      }
    }),
  );

program
  .command('gamification:verify')
  .description('recompute every score from the points ledger and report drift (exit code 1 when any)')
  .option('--json', 'print the report as JSON')
  .action((opts: { json?: boolean }) =>
    withContext(program.opts(), async (ctx) => {
      const report = await verifyGamification(ctx.db.db);
      console.log(opts.json ? JSON.stringify(report, null, 2) : formatVerifyReport(report));
      if (report.drift_count > 0) process.exitCode = 1;
    }),
  );

program
  .command('stats:rebuild')
  .description(
    'recompute the activity rollups (heatmaps, analytics) of UTC dates --from..--to from the source tables; stop the workers first',
  )
  .requiredOption('--from <date>', 'first UTC date, YYYY-MM-DD')
  .requiredOption('--to <date>', 'last UTC date, YYYY-MM-DD (inclusive)')
  .action((opts: { from: string; to: string }) =>
    withContext(program.opts(), async (ctx) => {
      const date = /^\d{4}-\d{2}-\d{2}$/;
      if (!date.test(opts.from) || !date.test(opts.to) || Number.isNaN(Date.parse(opts.from)) || Number.isNaN(Date.parse(opts.to)))
        throw new Error('--from and --to are dates, YYYY-MM-DD');
      const r = await rebuildStats(
        ctx.db.db,
        ctx.db.dialect,
        opts.from,
        opts.to,
        () => ctx.clock.now(),
        (m) => console.log(m),
      );
      console.log(`Rebuilt ${r.days} days (${r.from} to ${r.to}) from ${r.activities} activities.`);
    }),
  );

program
  .command('seed')
  .description('seed data; --demo creates the RocketLMS-shaped demo school')
  .option('--demo', 'the demo school (users, courses, sales, certificates)')
  .action((opts: { demo?: boolean }) =>
    withContext(program.opts(), async (ctx) => {
      if (!opts.demo) throw new Error('Say what to seed: --demo');
      if (ctx.config.host.adapter !== 'demo')
        throw new Error('Refusing to seed demo data into a real RocketLMS host (host.adapter = rocketlms)');
      await migrateToLatest(ctx.db);
      await createDemoSchema(ctx.hostDb, ctx.db.dialect === 'mysql' ? 'mysql' : 'sqlite');
      const school = await seedDemoSchool(ctx.hostDb, { now: ctx.clock.now() });
      console.log(
        `Demo school ready: admin ${school.adminId}, ${school.instructorIds.length} instructors, ${school.studentIds.length} students, ${school.courseIds.length} courses.`,
      );
    }),
  );

program
  .command('bench:seed')
  .description('benchmarks only: fill a channel with --messages rows of history by direct batched inserts (no events, rollups or points)')
  .requiredOption('--channel <id>', 'channel id')
  .requiredOption('--messages <n>', 'how many messages, e.g. 10000000')
  .requiredOption('--authors <ids>', 'comma-separated user ids who post in turn (members of the community)')
  .option('--days <n>', 'history spans this many days up to now', '365')
  .option('--varied-text', 'words from a 5,000-word vocabulary with a Zipf spread (for search), instead of one numbered sentence')
  .action((opts: { channel: string; messages: string; authors: string; days: string; variedText?: boolean }) =>
    withContext(program.opts(), async (ctx) => {
      const int = (v: string, name: string) => {
        const n = Number(v);
        if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} is a positive whole number`);
        return n;
      };
      const messages = int(opts.messages, 'messages');
      let last = 0;
      const r = await seedHistory(ctx.db, {
        channelId: int(opts.channel, 'channel'),
        messages,
        authorIds: opts.authors.split(',').map((a) => int(a.trim(), 'authors')),
        days: int(opts.days, 'days'),
        now: ctx.clock.now(),
        text: opts.variedText ? 'varied' : 'fixed',
        onProgress: (done) => {
          if (done - last >= 1_000_000 || done === messages) {
            last = done;
            console.log(`${done} messages`);
          }
        },
      });
      console.log(
        JSON.stringify({ messages: r.messages, seconds: Math.round(r.seconds * 10) / 10, first_id: r.firstId, last_id: r.lastId }),
      );
    }),
  );

program
  .command('config:check')
  .description('validate the configuration and print it with secrets hidden')
  .action(() => {
    const c = config(program.opts());
    const hide = (k: string, v: unknown) => (/secret|password|token|app_key/i.test(k) && typeof v === 'string' ? '••••' : v);
    console.log(JSON.stringify(c, hide, 2));
  });

program
  .command('serve')
  .description('run the addon (migrates and, in demo mode, seeds the demo school first)')
  .option(
    '--roles <roles>',
    'comma-separated roles this process plays: api (HTTP API and web app), gateway (the realtime WebSocket endpoint), worker (jobs)',
    DEFAULT_ROLES,
  )
  .action(async (opts: { roles: string }) => {
    const roles = parseRoles(opts.roles);
    const c = config(program.opts());
    checkRoles(roles, c.chat, c.enabled);
    const { ctx, demo } = await boot(c, { roles });
    // Health says `starting` until memberships from the host exist (see HostSync.readiness).
    ctx.hostSync.awaitFirstRun(roles.has('worker') ? 'here' : 'anywhere');
    const stopWorker = roles.has('worker') ? startWorker(ctx) : null;
    const served =
      roles.has('api') || roles.has('gateway')
        ? await buildHttpServer(ctx, { api: roles.has('api'), gateway: roles.has('gateway') })
        : null;
    const shutdown = async () => {
      await stopWorker?.();
      await served?.app.close();
      await ctx.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void shutdown());
    process.once('SIGTERM', () => void shutdown());
    if (!served) {
      // A worker alone has no server socket, and the database queue polls on unref'd timers:
      // without this the process would exit, status 0, once the jobs it found at start are done.
      setInterval(() => undefined, 1 << 30);
      console.log('Worker running.');
      return;
    }
    const address = await served.app.listen({ host: ctx.config.http.host, port: ctx.config.http.port });
    const origin = ctx.config.http.public_url ?? address.replace('://[::1]', '://localhost');
    const health = `${origin}${ctx.config.http.base_path}/api/communities/health`;
    if (!roles.has('api')) {
      const ws = served.gateway ? `${origin.replace(/^http/, 'ws')}${ctx.config.http.base_path}/app/${ctx.config.chat.app_key}` : 'off';
      console.log(`\n  Realtime gateway is running: ${ws}   health: ${health}${roles.has('worker') ? '\n  Worker running.' : ''}\n`);
      return;
    }
    const web = `${origin}${ctx.config.http.base_path}${ctx.config.http.web_path}`;
    const lines = [
      '',
      `  RocketLMS Communities is running: ${web}`,
      `  API docs: ${origin}${ctx.config.http.base_path}/api/communities/docs   health: ${health}`,
    ];
    if (!roles.has('gateway') && ctx.config.chat.driver === 'redis')
      lines.push('  Realtime: published through Redis to the gateway processes (--roles gateway).');
    if (demo) {
      lines.push('', '  Demo sign-in (demo mode only):');
      lines.push(`    admin       ${web}/demo/sign-in/${demo.adminId}`);
      lines.push(`    instructor  ${web}/demo/sign-in/${demo.instructorIds[0]}`);
      lines.push(`    student     ${web}/demo/sign-in/${demo.studentIds[0]}`);
    }
    if (ctx.config.features.file_scanning && ctx.config.file_scanner.driver === 'null') {
      const warn = '  WARNING: file_scanner.driver = null: uploads are NOT scanned for malware.';
      lines.push(
        '',
        demo ? `${warn} Fine for the demo, never in production.` : `${warn} Configure clamav or http before real users upload files.`,
      );
      if (!demo) ctx.logger.warn('file_scanner.driver is null outside demo mode: uploads are not scanned');
    }
    console.log(lines.join('\n') + '\n');
  });

program.parseAsync().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78);
  }
  if (error instanceof RolesError) {
    console.error(error.message);
    process.exit(64);
  }
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
