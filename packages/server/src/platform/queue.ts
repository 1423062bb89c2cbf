import { randomUUID } from 'node:crypto';

import type { DbHandle } from './db/transaction';
import type { Logger } from './logger';

export interface EnqueueOptions {
  runAt?: Date;
  /** At most one pending/running job with this key; enqueueing again is a no-op. */
  uniqueKey?: string;
  maxAttempts?: number;
}

export interface JobContext {
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  /** The database row id, or BullMQ's job id. */
  jobId: number | string;
}

export type JobHandler = (payload: unknown, job: JobContext) => Promise<void>;

export interface Queue {
  enqueue(queue: string, name: string, payload: unknown, options?: EnqueueOptions): Promise<void>;
  register(name: string, handler: JobHandler): void;
  /** Runs every due job until none is left (tests, `communities work --once`). Returns how many ran. */
  processAll(options?: { now?: () => Date; maxJobs?: number }): Promise<number>;
  start(pollMs?: number): void;
  /** Stops taking jobs and waits for the ones running. */
  stop(): Promise<void>;
  /** Stops, and releases the queue's connections (the context's close calls it). */
  close(): Promise<void>;
  /** What `communities jobs:status` prints: counts per kind and state, retries and dead jobs. */
  status(options?: { limit?: number }): Promise<QueueStatus>;
}

/**
 * A job's state, the same words for both drivers: `waiting` (due, not taken yet), `delayed`
 * (scheduled for later, e.g. waiting out a retry's backoff), `active` (running), `completed`,
 * `failed` (dead: it failed on its last attempt and will not run again by itself).
 */
export const JOB_STATES = ['waiting', 'delayed', 'active', 'completed', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobFailure {
  id: string;
  kind: string;
  /** Attempts made so far, and how many the job may make. */
  attempts: number;
  max_attempts: number;
  error: string | null;
  /** When it last failed (ISO), if known. */
  failed_at: string | null;
  /** Retrying jobs: when the next attempt is due (ISO). Dead jobs: null. */
  next_run_at: string | null;
}

export interface QueueStatus {
  driver: 'database' | 'bullmq';
  /** Job kind (the handler's name, e.g. `file.scan`) → state → count. */
  kinds: Record<string, Record<JobState, number>>;
  /** Jobs that failed at least once and will run again after their backoff; soonest first. */
  retrying: JobFailure[];
  /** Dead jobs, most recent first. */
  failures: JobFailure[];
}

export const emptyCounts = (): Record<JobState, number> => ({ waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0 });

/** Exponential backoff with a cap: with the default 2 s base, 2s, 4s, 8s … 10 min. `attempt` is the one that failed (1-based). */
export const backoffMs = (attempt: number, baseMs = 2000): number => Math.min(600_000, baseMs * 2 ** Math.max(0, attempt - 1));

/**
 * A durable queue in the `jobs` table: survives restarts, needs nothing but the database.
 * Claiming is an UPDATE guarded by the row's status, so several workers never run one job twice.
 */
export class DbQueue implements Queue {
  private readonly handlers = new Map<string, JobHandler>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private readonly workerId = `worker-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly db: DbHandle,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
    private readonly backoffBaseMs = 2000,
  ) {}

  register(name: string, handler: JobHandler): void {
    this.handlers.set(name, handler);
  }

  async enqueue(queue: string, name: string, payload: unknown, options: EnqueueOptions = {}): Promise<void> {
    const t = this.now().toISOString();
    const row = {
      queue,
      name,
      payload: JSON.stringify(payload ?? null),
      status: 'pending',
      attempts: 0,
      max_attempts: options.maxAttempts ?? 5,
      run_at: (options.runAt ?? this.now()).toISOString(),
      locked_at: null,
      locked_by: null,
      last_error: null,
      unique_key: options.uniqueKey ?? null,
      created_at: t,
      updated_at: t,
    };
    if (!options.uniqueKey) {
      await this.db.insertInto('jobs').values(row).execute();
      return;
    }
    // unique_key is a unique column: a duplicate insert fails and means "already queued".
    const existing = await this.db
      .selectFrom('jobs')
      .select(['id', 'status'])
      .where('unique_key', '=', options.uniqueKey)
      .executeTakeFirst();
    if (existing && (existing.status === 'pending' || existing.status === 'running')) return;
    if (existing) await this.db.deleteFrom('jobs').where('id', '=', existing.id).execute();
    try {
      await this.db.insertInto('jobs').values(row).execute();
    } catch (error) {
      const again = await this.db.selectFrom('jobs').select('id').where('unique_key', '=', options.uniqueKey).executeTakeFirst();
      if (!again) throw error;
    }
  }

  private async claim(now: Date): Promise<{ id: number; name: string; payload: string; attempts: number; max_attempts: number } | null> {
    const names = [...this.handlers.keys()];
    if (names.length === 0) return null;
    const candidates = await this.db
      .selectFrom('jobs')
      .select(['id', 'name', 'payload', 'attempts', 'max_attempts'])
      .where('status', '=', 'pending')
      .where('run_at', '<=', now.toISOString())
      .where('name', 'in', names)
      .orderBy('run_at')
      .orderBy('id')
      .limit(5)
      .execute();
    for (const c of candidates) {
      const res = await this.db
        .updateTable('jobs')
        .set({
          status: 'running',
          locked_at: now.toISOString(),
          locked_by: this.workerId,
          attempts: c.attempts + 1,
          updated_at: now.toISOString(),
        })
        .where('id', '=', c.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 1) return { ...c, attempts: c.attempts + 1 };
    }
    return null;
  }

  async processAll(options: { now?: () => Date; maxJobs?: number } = {}): Promise<number> {
    const clock = options.now ?? this.now;
    await this.releaseStale(clock());
    let ran = 0;
    for (;;) {
      if (options.maxJobs !== undefined && ran >= options.maxJobs) return ran;
      const job = await this.claim(clock());
      if (!job) return ran;
      ran++;
      const handler = this.handlers.get(job.name)!;
      try {
        await handler(JSON.parse(job.payload) as unknown, { attempt: job.attempts, jobId: job.id });
        await this.db
          .updateTable('jobs')
          .set({ status: 'done', locked_at: null, updated_at: clock().toISOString() })
          .where('id', '=', job.id)
          .execute();
      } catch (error) {
        const final = job.attempts >= job.max_attempts;
        this.logger.warn({ err: error, job: job.name, jobId: job.id, attempt: job.attempts, final }, 'job failed');
        await this.db
          .updateTable('jobs')
          .set({
            status: final ? 'failed' : 'pending',
            locked_at: null,
            last_error: String((error as Error).message ?? error).slice(0, 2000),
            run_at: new Date(clock().getTime() + backoffMs(job.attempts, this.backoffBaseMs)).toISOString(),
            updated_at: clock().toISOString(),
          })
          .where('id', '=', job.id)
          .execute();
      }
    }
  }

  /** A worker that died mid-job leaves it `running`; after 10 minutes it is handed out again. */
  private async releaseStale(now: Date): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ status: 'pending', locked_at: null, locked_by: null })
      .where('status', '=', 'running')
      .where('locked_at', '<', new Date(now.getTime() - 600_000).toISOString())
      .execute();
  }

  start(pollMs = 1000): void {
    if (this.timer) return;
    const tick = () => {
      if (this.running) return;
      this.running = this.processAll().catch((error: unknown) => {
        this.logger.error({ err: error }, 'queue poll failed');
        return 0;
      });
      void this.running.finally(() => {
        this.running = null;
      });
    };
    this.timer = setInterval(tick, pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await this.running;
  }

  close(): Promise<void> {
    return this.stop();
  }

  async status(options: { limit?: number } = {}): Promise<QueueStatus> {
    const limit = options.limit ?? 20;
    const now = this.now().toISOString();
    const rows = await this.db
      .selectFrom('jobs')
      .select((eb) => ['name', 'status', eb.fn.countAll<number | string | bigint>().as('n')])
      .groupBy(['name', 'status'])
      .execute();
    const later = await this.db
      .selectFrom('jobs')
      .select((eb) => ['name', eb.fn.countAll<number | string | bigint>().as('n')])
      .where('status', '=', 'pending')
      .where('run_at', '>', now)
      .groupBy('name')
      .execute();
    const kinds: QueueStatus['kinds'] = {};
    const of = (name: string) => (kinds[name] ??= emptyCounts());
    const STATE: Record<string, JobState> = { pending: 'waiting', running: 'active', done: 'completed', failed: 'failed' };
    for (const r of rows) {
      const state = STATE[r.status];
      if (state) of(r.name)[state] += Number(r.n);
    }
    for (const r of later) {
      of(r.name).waiting -= Number(r.n);
      of(r.name).delayed += Number(r.n);
    }
    const present = (r: {
      id: number;
      name: string;
      attempts: number;
      max_attempts: number;
      last_error: string | null;
      updated_at: string;
      run_at: string;
      status: string;
    }): JobFailure => ({
      id: String(r.id),
      kind: r.name,
      attempts: r.attempts,
      max_attempts: r.max_attempts,
      error: r.last_error,
      failed_at: r.updated_at,
      next_run_at: r.status === 'failed' ? null : r.run_at,
    });
    const columns = ['id', 'name', 'attempts', 'max_attempts', 'last_error', 'updated_at', 'run_at', 'status'] as const;
    const retrying = await this.db
      .selectFrom('jobs')
      .select(columns)
      .where('status', '=', 'pending')
      .where('attempts', '>', 0)
      .orderBy('run_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    const failures = await this.db
      .selectFrom('jobs')
      .select(columns)
      .where('status', '=', 'failed')
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return { driver: 'database', kinds, retrying: retrying.map(present), failures: failures.map(present) };
  }
}
