import { randomUUID } from 'node:crypto';

import { Queue as BullMqQueue, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';

import type { Logger } from './logger';
import {
  backoffMs,
  emptyCounts,
  type EnqueueOptions,
  type JobFailure,
  type JobHandler,
  type JobState,
  type Queue,
  type QueueStatus,
} from './queue';

export interface BullQueueOptions {
  /** redis:// URL (the config's redis.url). */
  url: string;
  /** Key prefix of every BullMQ key (queue.prefix); one prefix per installation. */
  prefix: string;
  logger: Logger;
  /** Delay before the first retry; doubled for each later one, capped at 10 minutes. */
  backoffBaseMs: number;
  /** Jobs of one kind that one process runs at the same time. */
  concurrency: number;
  now?: () => Date;
}

interface JobData {
  /** The lane the caller named (`scans`, `host`); kept for operators, jobs are routed by kind. */
  queue: string;
  payload: unknown;
}

/** Our strategy's name in BullMQ's `backoff.type`; the worker's settings compute it. */
const BACKOFF = 'communities';
const KEEP_COMPLETED = { age: 7 * 24 * 3600, count: 1000 };
const KEEP_FAILED = { count: 1000 };

/**
 * queue.driver = bullmq: the same jobs and handlers as the database queue, on Redis.
 * One BullMQ queue per job kind (`file.scan`, `host.sync`), so a backlog of one kind never
 * holds up another and counts per kind are BullMQ's own. Retries and backoff are BullMQ's
 * (`attempts`, a custom backoff equal to the database queue's); a job that fails its last
 * attempt stays in BullMQ's failed set (the last 1000 per kind) for `jobs:status`.
 * `uniqueKey` is BullMQ deduplication: at most one waiting/delayed/active job per key.
 */
export class BullQueue implements Queue {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly queues = new Map<string, BullMqQueue<JobData>>();
  /** Workers that run by themselves (start); manual ones serve processAll. */
  private readonly running = new Map<string, Worker<JobData>>();
  private readonly manual = new Map<string, Worker<JobData>>();
  private readonly producer: Redis;
  private workerConnection: Redis | null = null;
  private readonly now: () => Date;
  private readonly token = `worker-${randomUUID().slice(0, 8)}`;
  private started = false;

  constructor(private readonly opts: BullQueueOptions) {
    // Enqueueing fails fast when Redis is away (an upload answers an error instead of hanging);
    // workers get their own connection, which BullMQ needs to retry forever (maxRetriesPerRequest null).
    this.producer = new Redis(opts.url, { maxRetriesPerRequest: 2, lazyConnect: true });
    this.now = opts.now ?? (() => new Date());
  }

  private connectionForWorkers(): Redis {
    return (this.workerConnection ??= new Redis(this.opts.url, { maxRetriesPerRequest: null }));
  }

  private queue(kind: string): BullMqQueue<JobData> {
    let q = this.queues.get(kind);
    if (!q) {
      q = new BullMqQueue<JobData>(kind, { connection: this.producer, prefix: this.opts.prefix });
      q.on('error', (error) => this.opts.logger.warn({ err: error, kind }, 'BullMQ queue error'));
      this.queues.set(kind, q);
    }
    return q;
  }

  private worker(kind: string, autorun: boolean): Worker<JobData> {
    const w = new Worker<JobData>(kind, autorun ? (job) => this.run(job) : null, {
      connection: this.connectionForWorkers(),
      prefix: this.opts.prefix,
      autorun,
      concurrency: this.opts.concurrency,
      settings: { backoffStrategy: (attemptsMade: number) => backoffMs(attemptsMade, this.opts.backoffBaseMs) },
    });
    w.on('error', (error) => this.opts.logger.warn({ err: error, kind }, 'BullMQ worker error'));
    if (autorun) {
      w.on('failed', (job, error) => {
        if (!job) return;
        const final = job.attemptsMade >= (job.opts.attempts ?? 1);
        this.opts.logger.warn({ err: error, job: job.name, jobId: job.id, attempt: job.attemptsMade, final }, 'job failed');
      });
    }
    return w;
  }

  private async run(job: Job<JobData>): Promise<void> {
    const handler = this.handlers.get(job.name);
    if (!handler) throw new Error(`no handler registered for job kind ${job.name}`);
    await handler(job.data.payload, { attempt: job.attemptsMade + 1, jobId: job.id ?? '' });
  }

  register(name: string, handler: JobHandler): void {
    if (name.includes(':')) throw new Error(`job kind ${name}: BullMQ queue names cannot contain ":"`);
    this.handlers.set(name, handler);
    // Registered after start (a service wired late): it still gets its worker.
    if (this.started && !this.running.has(name)) this.running.set(name, this.worker(name, true));
  }

  async enqueue(queue: string, name: string, payload: unknown, options: EnqueueOptions = {}): Promise<void> {
    const delay = options.runAt ? Math.max(0, options.runAt.getTime() - this.now().getTime()) : 0;
    const jobOptions: JobsOptions = {
      attempts: options.maxAttempts ?? 5,
      backoff: { type: BACKOFF },
      removeOnComplete: KEEP_COMPLETED,
      removeOnFail: KEEP_FAILED,
      ...(delay > 0 ? { delay } : {}),
      ...(options.uniqueKey ? { deduplication: { id: options.uniqueKey } } : {}),
    };
    await this.queue(name).add(name, { queue, payload: payload ?? null }, jobOptions);
  }

  /**
   * Runs every due job of every registered kind in this process, one at a time, until none is
   * left (tests, like the database queue's). `now` later than the real time makes delayed jobs
   * due by then (a retry's backoff) run now.
   */
  async processAll(options: { now?: () => Date; maxJobs?: number } = {}): Promise<number> {
    if (options.now) {
      const until = options.now().getTime();
      for (const kind of this.handlers.keys()) {
        for (const job of await this.queue(kind).getJobs(['delayed'])) {
          const due = await this.delayedUntil(kind, job.id);
          if (due !== null && due <= until) await job.promote().catch(() => undefined);
        }
      }
    }
    let ran = 0;
    for (;;) {
      let took = false;
      for (const kind of this.handlers.keys()) {
        if (options.maxJobs !== undefined && ran >= options.maxJobs) return ran;
        let w = this.manual.get(kind);
        if (!w) this.manual.set(kind, (w = this.worker(kind, false)));
        const job = (await w.getNextJob(this.token, { block: false })) as Job<JobData> | undefined;
        if (!job) continue;
        took = true;
        ran++;
        try {
          await this.run(job);
          await job.moveToCompleted(null, this.token, false);
        } catch (error) {
          const err = error instanceof Error ? error : new Error(String(error));
          const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
          this.opts.logger.warn({ err, job: job.name, jobId: job.id, attempt: job.attemptsMade + 1, final }, 'job failed');
          await job.moveToFailed(err, this.token, false);
        }
      }
      if (!took) return ran;
    }
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const kind of this.handlers.keys()) if (!this.running.has(kind)) this.running.set(kind, this.worker(kind, true));
  }

  async stop(): Promise<void> {
    this.started = false;
    const workers = [...this.running.values(), ...this.manual.values()];
    this.running.clear();
    this.manual.clear();
    await Promise.all(workers.map((w) => w.close()));
  }

  async close(): Promise<void> {
    await this.stop();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    this.producer.disconnect();
    this.workerConnection?.disconnect();
    this.workerConnection = null;
  }

  /** When a delayed job is due (ms), from its score in the delayed set. */
  private async delayedUntil(kind: string, id: string | undefined): Promise<number | null> {
    if (!id) return null;
    const score = await this.producer.zscore(`${this.opts.prefix}:${kind}:delayed`, id);
    // BullMQ scores a delayed job as due-time * 0x1000 + a sequence number.
    return score === null ? null : Math.floor(Number(score) / 0x1000);
  }

  /** Every kind this prefix has seen (a `meta` key per BullMQ queue), not only those registered here. */
  private async kinds(): Promise<string[]> {
    const found = new Set(this.handlers.keys());
    const head = `${this.opts.prefix}:`;
    let cursor = '0';
    do {
      const [next, keys] = await this.producer.scan(cursor, 'MATCH', `${head}*:meta`, 'COUNT', 500);
      cursor = next;
      for (const k of keys) {
        const kind = k.slice(head.length, -':meta'.length);
        if (kind && !kind.includes(':')) found.add(kind);
      }
    } while (cursor !== '0');
    return [...found].sort();
  }

  async status(options: { limit?: number } = {}): Promise<QueueStatus> {
    const limit = options.limit ?? 20;
    const kinds: QueueStatus['kinds'] = {};
    const retrying: JobFailure[] = [];
    const failures: JobFailure[] = [];
    const iso = (ms: number | undefined | null) => (ms ? new Date(ms).toISOString() : null);
    for (const kind of await this.kinds()) {
      const q = this.queue(kind);
      const c = await q.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
      const counts: Record<JobState, number> = emptyCounts();
      counts.waiting = (c.waiting ?? 0) + (c.prioritized ?? 0);
      counts.delayed = c.delayed ?? 0;
      counts.active = c.active ?? 0;
      counts.completed = c.completed ?? 0;
      counts.failed = c.failed ?? 0;
      kinds[kind] = counts;
      // Delayed jobs that already failed once are retries waiting out their backoff.
      for (const job of await q.getJobs(['delayed'], 0, 200, true)) {
        if (!job.attemptsMade) continue;
        retrying.push({
          id: String(job.id),
          kind,
          attempts: job.attemptsMade,
          max_attempts: job.opts.attempts ?? 1,
          error: job.failedReason || null,
          failed_at: iso(job.finishedOn ?? job.processedOn),
          next_run_at: iso(await this.delayedUntil(kind, job.id)),
        });
      }
      for (const job of await q.getJobs(['failed'], 0, limit - 1)) {
        failures.push({
          id: String(job.id),
          kind,
          attempts: job.attemptsMade,
          max_attempts: job.opts.attempts ?? 1,
          error: job.failedReason || null,
          failed_at: iso(job.finishedOn),
          next_run_at: null,
        });
      }
    }
    retrying.sort((a, b) => (a.next_run_at ?? '').localeCompare(b.next_run_at ?? ''));
    failures.sort((a, b) => (b.failed_at ?? '').localeCompare(a.failed_at ?? ''));
    return { driver: 'bullmq', kinds, retrying: retrying.slice(0, limit), failures: failures.slice(0, limit) };
  }
}
