import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

import type { DomainEvent, DomainEventName, DomainEventPayload } from '@communities/contract';

import type { Clock } from './clock';
import type { DialectName, SqliteStatements } from './db/connect';
import type { GroupCommit } from './db/group-commit';
import { ReusableInsert } from './db/insert';
import { inTransaction, type AfterCommit, type DbHandle, type Tx } from './db/transaction';
import { timeOrderedId } from './ids';
import type { Logger } from './logger';

export type EventHandler<N extends DomainEventName = DomainEventName> = (event: DomainEvent<N>) => Promise<void> | void;

/**
 * A durable subscriber: the dispatcher hands it every event it asks for, at least once, in
 * commit order, and keeps its position in `event_cursors` under `name` (stable across
 * versions: renaming it starts a new cursor at the newest event). It must be idempotent by
 * event id: after a crash the events since its last saved position come again.
 */
export interface DurableSubscriber {
  name: string;
  events: readonly DomainEventName[] | '*';
  /**
   * Where a subscriber that has no cursor yet starts: at the oldest event the outbox still holds
   * ('start', the default: nothing recorded around its first start is skipped), or after the
   * newest ('now', for one that must not see history).
   */
  from?: 'start' | 'now';
  /** One event at a time, or `batch` when given (a batch is all or nothing). */
  handle?: (event: DomainEvent) => Promise<void>;
  batch?: (events: DomainEvent[]) => Promise<void>;
  /**
   * A batch written in the dispatcher's transaction, which also moves the subscriber's cursor:
   * the page's writes and the cursor commit together, so each event is applied exactly once and
   * the subscriber needs no record of the events it has seen. Its writes must all go through `trx`;
   * what it may remember in memory of them, it registers with `afterCommit` (run only once the
   * page and the cursor committed, never for a rolled-back or lost-lease attempt).
   */
  batchInTransaction?: (trx: Tx, events: DomainEvent[], afterCommit: AfterCommit) => Promise<void>;
}

export interface EventBus {
  /**
   * Writes the event in `trx`, the transaction of the change it describes: it exists exactly
   * when the change committed. Delivery starts once the commit is visible.
   */
  record<N extends DomainEventName>(trx: Tx | DbHandle, name: N, payload: DomainEventPayload<N>): Promise<DomainEvent<N>>;
  /**
   * Work in this process right after the commit of an event this process recorded (realtime
   * broadcasts, revocations): at most once, lost on a crash, a handler error is logged.
   */
  subscribe<N extends DomainEventName>(name: N | '*', handler: EventHandler<N>): () => void;
  /** A durable subscriber (see DurableSubscriber). */
  durable(subscriber: DurableSubscriber): void;
  /** Resolves when every event committed so far has reached every subscriber it can reach now (tests, shutdown). */
  idle(): Promise<void>;
}

export interface OutboxOptions {
  /** Attempts of one event per subscriber before it is parked (`event_parked`) and the cursor moves on. */
  maxAttempts: number;
  /** The first retry's delay; doubled per attempt, at most 5 minutes. */
  backoffMs: number;
  /** How long a process keeps delivering for a subscriber without renewing its lease. */
  leaseMs: number;
  /** How long an id skipped by the cursor may still commit (server databases commit ids out of order). */
  gapMs: number;
  /** Delivered events older than this are pruned. */
  retentionDays: number;
  /** How often a started dispatcher looks for events committed by other processes. */
  pollMs: number;
  /**
   * Durable subscribers get a commit's events this long after it, with whatever else committed
   * meanwhile, in one page (0: at once). Local handlers run right after the commit either way.
   */
  lingerMs: number;
  /**
   * Runs the dispatcher's writes (transactional batches, cursor saves): the database's group
   * commit, so on SQLite they share a commit with the requests' writes instead of paying one
   * each (a round paid three or four). Without it, a transaction of their own.
   */
  groupCommit?: Pick<GroupCommit, 'run'>;
  /** SQLite's statements: an event recorded in a transaction is inserted without Kysely's executor (ReusableInsert). */
  sqliteStatements?: SqliteStatements;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = {
  maxAttempts: 8,
  backoffMs: 1000,
  leaseMs: 15_000,
  gapMs: 5 * 60_000,
  retentionDays: 7,
  pollMs: 1000,
  lingerMs: 0,
};

/** Events read per subscriber per round. */
const PAGE = 200;
/** Commits here since the last durable round that end a linger early: a busy server's pages stay this small. */
const LINGER_EVENTS = 50;
/** A jump in ids wider than this is not tracked id by id (ids were reserved in bulk, not in flight). */
const MAX_GAP_SPAN = 1000;
/** How long this process watches for the commit of an event it recorded (for its local subscribers). */
const LOCAL_WAIT_MS = 30_000;
/** idle() stops waiting for a recorded event not visible after this long (a rolled-back attempt). */
const IDLE_LOCAL_WAIT_MS = 1000;

/** A transactional batch found its cursor's lease taken by another process (rolled back, not a failure). */
class LeaseLost extends Error {
  constructor(subscriber: string) {
    super(`lease on ${subscriber} lost`);
  }
}

interface OutboxRow {
  id: number;
  event_id: string;
  name: string;
  payload: string;
  occurred_at: string;
}

/** A subscriber's cursor after a delivery, saved with the round's others (see saveCursors). */
interface CursorMove {
  subscriber: string;
  state: CursorState;
  next: { lastId: number; gaps: Map<number, number> };
  attempts: number;
  retryAt: number | null;
  lastError: string | null;
  now: number;
  /** Whether the cursor moved (or expired gaps were dropped). */
  moved: boolean;
}

interface CursorState {
  lastId: number;
  /** Skipped ids that may still commit → when first seen missing (ms). */
  gaps: Map<number, number>;
  attempts: number;
  retryAt: number | null;
  leaseUntil: number;
}

export interface SubscriberStatus {
  subscriber: string;
  last_id: number;
  behind: number;
  oldest_undelivered_at: string | null;
  oldest_undelivered_age_seconds: number | null;
  gaps: number;
  attempts: number;
  retry_at: string | null;
  last_error: string | null;
  parked: number;
  lease_owner: string | null;
  lease_until: string | null;
}

const toEvent = (row: OutboxRow): DomainEvent =>
  ({ id: row.event_id, name: row.name, payload: JSON.parse(row.payload) as unknown, occurred_at: row.occurred_at }) as DomainEvent;

/**
 * The transactional outbox and its dispatcher. Events are rows of `event_outbox`, written in the
 * publisher's transaction. Each durable subscriber has a cursor row: the highest id it has
 * passed, plus the ids below it that were missing when it passed them ("gaps"). On MariaDB and
 * PostgreSQL ids are handed out at insert and become visible at commit, so id 7 may be seen
 * before id 6: the cursor moves past 6 at once (no delay for everyone else) and keeps looking
 * for 6 until it shows up (it is delivered then: that is its commit order) or `gapMs` passed
 * (it was rolled back; rolled-back inserts leave holes in the ids for good). On SQLite writes
 * are serial and there are no gaps.
 *
 * One process at a time delivers for a subscriber: it holds a lease in the cursor row
 * (`lease_owner`, `lease_until`), renewed as it goes; every cursor write is conditional on still
 * holding it. When that process dies, another takes over once the lease ran out. The database
 * is the arbiter, so this holds with or without Redis, on every dialect.
 *
 * A failing subscriber is retried with exponential backoff from the failing event; after
 * `maxAttempts` the event is parked in `event_parked` (visible in `communities events:status`)
 * and the subscriber goes on. Other subscribers are never held up by it.
 */
export class Outbox implements EventBus {
  private readonly local = new Map<string, Set<EventHandler>>();
  private readonly subscribers: DurableSubscriber[] = [];
  private readonly cursors = new Map<string, CursorState>();
  /** Recorded here, not yet seen committed: outbox id → event and when it was recorded. */
  private readonly pending = new Map<number, { event: DomainEvent; at: number }>();
  private readonly owner = `${hostname().slice(0, 30)}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly opts: OutboxOptions;
  /** A delivery round to durable subscribers in progress, and whether another is due after it. */
  private running: Promise<void> | null = null;
  private again = false;
  /**
   * Local handlers' own loop, so an event's after-commit work never waits behind a durable
   * subscriber's page (a lingering round can be one's whole window of events).
   */
  private localRunning: Promise<void> | null = null;
  private localAgain = false;
  private timer: NodeJS.Timeout | null = null;
  private wake: NodeJS.Timeout | null = null;
  private lingering: NodeJS.Timeout | null = null;
  /**
   * A round to durable subscribers is due: set by a poll, a retry, idle(), a round that moved a
   * cursor, and a commit (lingerMs after it, or at LINGER_EVENTS, when lingering).
   */
  private durableDue = false;
  /** Events recorded here since the last durable round began. */
  private sinceRound = 0;
  private lastPrune = 0;
  private closed = false;
  /** Durable delivery needs the outbox tables: it begins with start(), after migrating. */
  private started = false;
  /** Every change records an event: its insert is compiled once. */
  private readonly insertEvent: ReusableInsert<'event_outbox', 'event_id' | 'name' | 'payload' | 'occurred_at'>;

  constructor(
    private readonly db: DbHandle,
    private readonly dialect: DialectName,
    private readonly logger: Logger,
    private readonly clock: Clock,
    options: Partial<OutboxOptions> = {},
  ) {
    this.opts = { ...DEFAULT_OUTBOX_OPTIONS, ...options };
    this.insertEvent = new ReusableInsert(db, 'event_outbox', ['event_id', 'name', 'payload', 'occurred_at'], this.opts.sqliteStatements);
  }

  async record<N extends DomainEventName>(trx: Tx | DbHandle, name: N, payload: DomainEventPayload<N>): Promise<DomainEvent<N>> {
    // Time-ordered ids (UUIDv7): the unique indexes on event ids (outbox, event log, rollups'
    // seen set) grow at their right edge instead of at a random page per event.
    const event: DomainEvent<N> = { id: timeOrderedId(), name, payload, occurred_at: this.clock.now().toISOString() };
    const values = { event_id: event.id, name, payload: JSON.stringify(payload), occurred_at: event.occurred_at };
    const id = await this.insertEvent.run(trx, values);
    this.pending.set(id, { event: event, at: Date.now() });
    this.kick(true);
    return event;
  }

  subscribe<N extends DomainEventName>(name: N | '*', handler: EventHandler<N>): () => void {
    const set = this.local.get(name) ?? new Set();
    set.add(handler as EventHandler);
    this.local.set(name, set);
    return () => set.delete(handler as EventHandler);
  }

  durable(subscriber: DurableSubscriber): void {
    if (this.subscribers.some((s) => s.name === subscriber.name)) throw new Error(`two event subscribers named ${subscriber.name}`);
    this.subscribers.push(subscriber);
  }

  /** Starts durable delivery, and looking for events from other processes every pollMs (boot does, after migrating). */
  start(): void {
    if (this.timer || this.closed) return;
    this.started = true;
    this.timer = setInterval(() => this.kick(), this.opts.pollMs);
    this.timer.unref();
    this.kick();
  }

  async idle(): Promise<void> {
    while (!this.closed) {
      this.again = true;
      this.durableDue = true;
      await this.pumpLocal();
      await this.pump();
      const now = Date.now();
      const waiting = [...this.pending.values()].some((p) => now - p.at < IDLE_LOCAL_WAIT_MS);
      if (!waiting && !this.again && !this.localRunning) return;
      // Let timers and I/O run: on SQLite every query resolves on the microtask queue.
      await new Promise((r) => setTimeout(r, waiting ? 5 : 0));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    if (this.wake) clearTimeout(this.wake);
    if (this.lingering) clearTimeout(this.lingering);
    this.timer = null;
    await this.idle().catch(() => {});
    this.closed = true;
    // Hand the leases over at once rather than after they run out.
    for (const name of this.cursors.keys())
      await this.db
        .updateTable('event_cursors')
        .set({ lease_owner: null, lease_until: null })
        .where('subscriber', '=', name)
        .where('lease_owner', '=', this.owner)
        .execute()
        .catch(() => {});
    this.cursors.clear();
  }

  /**
   * Runs the local handlers of what committed here, and a delivery round to durable subscribers
   * now or once more after the one in progress. After a commit here (`commit`) with lingerMs,
   * that round comes lingerMs later, with whatever else committed meanwhile, or as soon as
   * LINGER_EVENTS did: at 100 messages a second a round per commit paid each subscriber's page
   * (its reads, its upserts, the cursor saves) for one event, while at thousands a second a
   * whole window's page would hold the event loop for one long stretch.
   */
  private kick(commit = false): void {
    if (this.closed) return;
    if (this.pending.size > 0) void this.pumpLocal();
    if (commit && this.opts.lingerMs > 0 && ++this.sinceRound < LINGER_EVENTS) {
      if (this.lingering) return;
      this.lingering = setTimeout(() => {
        this.lingering = null;
        this.kick();
      }, this.opts.lingerMs);
      this.lingering.unref();
      return;
    }
    this.durableDue = true;
    this.again = true;
    if (!this.running) void this.pump();
  }

  /** Runs the local handlers of what committed, now or once more after the pass in progress. */
  private pumpLocal(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.localAgain = true;
    if (this.localRunning) return this.localRunning;
    this.localRunning = (async () => {
      try {
        while (this.localAgain && !this.closed) {
          this.localAgain = false;
          await this.deliverLocal();
        }
      } catch (error) {
        this.localAgain = false;
        this.logger.error({ err: error }, 'local event delivery failed');
      } finally {
        this.localRunning = null;
      }
      this.scheduleWake();
    })();
    return this.localRunning;
  }

  private pump(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        while (this.again && !this.closed) {
          this.again = false;
          const progressed = await this.round();
          if (progressed) this.again = true;
        }
      } catch (error) {
        // Tried again on the next kick or poll (a lost connection, a database restarting).
        this.again = false;
        this.logger.error({ err: error }, 'event dispatcher round failed');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** While recorded events are not yet visible (server databases: not committed yet), look again soon. */
  private scheduleWake(): void {
    if (this.closed || this.wake || this.pending.size === 0) return;
    const oldest = Math.min(...[...this.pending.values()].map((p) => p.at));
    const delay = Math.min(250, Math.max(2, (Date.now() - oldest) / 4));
    this.wake = setTimeout(() => {
      this.wake = null;
      this.kick();
    }, delay);
    this.wake.unref();
  }

  /** One pass over every durable subscriber, when one is due; true when a cursor moved. */
  private async round(): Promise<boolean> {
    if (!this.started || !this.durableDue) return false;
    this.durableDue = false;
    // This round takes everything committed so far: a linger waiting for it has nothing left to
    // wait for (the next commit here starts another).
    this.sinceRound = 0;
    if (this.lingering) clearTimeout(this.lingering);
    this.lingering = null;
    let progressed = false;
    // Subscribers at the same place read the same page: one query serves them all in a round.
    const pages = new Map<string, Promise<OutboxRow[]>>();
    const moves: CursorMove[] = [];
    for (const s of this.subscribers) {
      try {
        const move = await this.deliver(s, pages);
        if (move) moves.push(move);
      } catch (error) {
        // A database error outside the handler (lost connection): try again next round.
        this.logger.error({ err: error, subscriber: s.name }, 'event delivery failed');
        this.cursors.delete(s.name);
      }
    }
    // A cursor moved: there may be more (a full page, a backlog), so the next round looks again.
    if (moves.length && (await this.saveCursors(moves))) progressed = this.durableDue = true;
    await this.maybePrune();
    return progressed;
  }

  /**
   * Saves the round's cursors in one transaction (on SQLite one commit, not one per subscriber).
   * A subscriber's handler has committed its own work before this, so a crash in between
   * delivers that page again, as it would have between the handler and a cursor write of its
   * own: subscribers are idempotent. A cursor whose lease another process took is not saved
   * and is forgotten here; that process delivers from the saved cursor.
   */
  private async saveCursors(moves: CursorMove[]): Promise<boolean> {
    let saved: boolean[];
    try {
      saved = await this.write(async (trx) => {
        const out: boolean[] = [];
        for (const m of moves) {
          const r = await trx
            .updateTable('event_cursors')
            .set({
              last_id: m.next.lastId,
              gaps: JSON.stringify([...m.next.gaps]),
              attempts: m.attempts,
              retry_at: m.retryAt === null ? null : this.iso(m.retryAt),
              last_error: m.lastError,
              updated_at: this.iso(m.now),
            })
            .where('subscriber', '=', m.subscriber)
            .where('lease_owner', '=', this.owner)
            .executeTakeFirst();
          out.push(Number(r.numUpdatedRows) === 1);
        }
        return out;
      });
    } catch (error) {
      this.logger.error({ err: error }, 'saving event cursors failed');
      for (const m of moves) this.cursors.delete(m.subscriber);
      return false;
    }
    let progressed = false;
    for (const [i, m] of moves.entries()) {
      if (!saved[i]) {
        this.cursors.delete(m.subscriber);
        continue;
      }
      m.state.lastId = m.next.lastId;
      m.state.gaps = m.next.gaps;
      m.state.attempts = m.attempts;
      m.state.retryAt = m.retryAt;
      if (m.retryAt !== null) {
        const t = setTimeout(() => this.kick(), m.retryAt - m.now + 5);
        t.unref();
      }
      if (m.moved) progressed = true;
    }
    return progressed;
  }

  private async deliverLocal(): Promise<boolean> {
    if (this.pending.size === 0) return false;
    const ids = [...this.pending.keys()];
    const found = new Set<number>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('event_outbox')
        .select('id')
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) found.add(Number(r.id));
    }
    const now = Date.now();
    let delivered = false;
    for (const id of ids.sort((a, b) => a - b)) {
      const p = this.pending.get(id)!;
      if (!found.has(id)) {
        // SQLite: our read waited for the writer's transaction, so a missing row was rolled back.
        if (this.dialect === 'sqlite' || now - p.at > LOCAL_WAIT_MS) this.pending.delete(id);
        continue;
      }
      this.pending.delete(id);
      delivered = true;
      const targets = [...(this.local.get(p.event.name) ?? []), ...(this.local.get('*') ?? [])];
      await Promise.all(
        targets.map(async (handler) => {
          try {
            await handler(p.event);
          } catch (error) {
            this.logger.error({ err: error, event: p.event.name, eventId: p.event.id }, 'domain event handler failed');
          }
        }),
      );
    }
    return delivered;
  }

  /** A write transaction of the dispatcher's (see `groupCommit`); after-commit work runs once it committed. */
  private write<T>(fn: (trx: Tx, afterCommit: AfterCommit) => Promise<T>): Promise<T> {
    return this.opts.groupCommit ? this.opts.groupCommit.run((trx, afterCommit) => fn(trx, afterCommit)) : inTransaction(this.db, fn);
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  /** Takes or renews the lease on the subscriber's cursor (creating it at the newest event); null when another process holds it. */
  private async lease(name: string, from: 'start' | 'now' = 'start'): Promise<CursorState | null> {
    const now = Date.now();
    const held = this.cursors.get(name);
    if (held && held.leaseUntil - now > this.opts.leaseMs / 2) return held;
    const until = now + this.opts.leaseMs;
    if (!held) {
      const exists = await this.db.selectFrom('event_cursors').select('id').where('subscriber', '=', name).executeTakeFirst();
      if (!exists) {
        const max =
          from === 'now'
            ? await this.db
                .selectFrom('event_outbox')
                .select((eb) => eb.fn.max('id').as('max'))
                .executeTakeFirst()
            : undefined;
        await this.db
          .insertInto('event_cursors')
          .values({ subscriber: name, last_id: Number(max?.max ?? 0), gaps: '[]', attempts: 0, updated_at: this.iso(now) })
          .execute()
          .catch(() => {}); // another process created it first
      }
    }
    const r = await this.db
      .updateTable('event_cursors')
      .set({ lease_owner: this.owner, lease_until: this.iso(until) })
      .where('subscriber', '=', name)
      .where((eb) => eb.or([eb('lease_owner', '=', this.owner), eb('lease_owner', 'is', null), eb('lease_until', '<', this.iso(now))]))
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) {
      this.cursors.delete(name);
      return null;
    }
    if (held) {
      held.leaseUntil = until;
      return held;
    }
    const row = await this.db.selectFrom('event_cursors').selectAll().where('subscriber', '=', name).executeTakeFirstOrThrow();
    const state: CursorState = {
      lastId: Number(row.last_id),
      gaps: new Map(JSON.parse(row.gaps) as Array<[number, number]>),
      attempts: row.attempts,
      retryAt: row.retry_at ? Date.parse(row.retry_at) : null,
      leaseUntil: until,
    };
    this.cursors.set(name, state);
    return state;
  }

  /** Delivers the next page to one subscriber; where its cursor goes, for the round to save, or null. */
  private async deliver(s: DurableSubscriber, pages: Map<string, Promise<OutboxRow[]>>): Promise<CursorMove | null> {
    const state = await this.lease(s.name, s.from);
    if (!state) return null;
    // Leases, retries and gaps run on real time (the injected clock may stand still in tests).
    const now = Date.now();
    if (state.retryAt !== null && state.retryAt > now) return null;
    // Gaps that have waited long enough were rolled back.
    let expired = false;
    for (const [id, seen] of state.gaps)
      if (now - seen > this.opts.gapMs) {
        state.gaps.delete(id);
        expired = true;
      }
    const gapIds = [...state.gaps.keys()];
    const limit = state.attempts > 0 ? 1 : PAGE;
    const pageKey = `${state.lastId}|${gapIds.join(',')}|${limit}`;
    let page = pages.get(pageKey);
    if (!page) {
      let q = this.db.selectFrom('event_outbox').select(['id', 'event_id', 'name', 'payload', 'occurred_at']);
      q = gapIds.length ? q.where((eb) => eb.or([eb('id', '>', state.lastId), eb('id', 'in', gapIds)])) : q.where('id', '>', state.lastId);
      page = q
        .orderBy('id')
        .limit(limit)
        .execute()
        .then((found) => found.map((r) => ({ ...r, id: Number(r.id) })));
      pages.set(pageKey, page);
      // A failed read is not shared: the next subscriber tries again.
      page.catch(() => pages.delete(pageKey));
    }
    const rows = await page;
    if (rows.length === 0 && !expired) return null;

    const wanted = (r: OutboxRow) => s.events === '*' || (s.events as readonly string[]).includes(r.name);
    let next = { lastId: state.lastId, gaps: new Map(state.gaps) };
    const pass = (r: OutboxRow) => {
      if (next.gaps.delete(r.id)) return;
      for (let id = Math.max(next.lastId + 1, r.id - MAX_GAP_SPAN); id < r.id; id++) next.gaps.set(id, now);
      next.lastId = Math.max(next.lastId, r.id);
    };
    let failure: { row: OutboxRow; error: unknown } | null = null;
    if (s.batchInTransaction) {
      const events = rows.filter(wanted);
      rows.forEach(pass);
      try {
        await this.write(async (trx, afterCommit) => {
          if (events.length) await s.batchInTransaction!(trx, events.map(toEvent), afterCommit);
          const r = await trx
            .updateTable('event_cursors')
            .set({
              last_id: next.lastId,
              gaps: JSON.stringify([...next.gaps]),
              attempts: 0,
              retry_at: null,
              last_error: null,
              updated_at: this.iso(now),
            })
            .where('subscriber', '=', s.name)
            .where('lease_owner', '=', this.owner)
            .executeTakeFirst();
          // Another process took the lease: it delivers these events from the saved cursor, so none of this may commit.
          if (Number(r.numUpdatedRows) !== 1) throw new LeaseLost(s.name);
        });
      } catch (error) {
        if (error instanceof LeaseLost) {
          this.cursors.delete(s.name);
          return null;
        }
        next = { lastId: state.lastId, gaps: new Map(state.gaps) };
        failure = { row: events[0] ?? rows[0]!, error };
      }
    } else if (s.batch) {
      const events = rows.filter(wanted);
      try {
        if (events.length) await s.batch(events.map(toEvent));
        rows.forEach(pass);
      } catch (error) {
        failure = { row: events[0]!, error };
      }
    } else {
      for (const r of rows) {
        if (wanted(r)) {
          try {
            await s.handle!(toEvent(r));
          } catch (error) {
            failure = { row: r, error };
            break;
          }
        }
        pass(r);
      }
    }

    let attempts = 0;
    let retryAt: number | null = null;
    let lastError: string | null = null;
    if (failure) {
      attempts = state.attempts + 1;
      lastError = String((failure.error as Error)?.stack ?? failure.error).slice(0, 2000);
      if (attempts >= this.opts.maxAttempts) {
        this.logger.error({ err: failure.error, subscriber: s.name, eventId: failure.row.event_id }, 'event parked after its retries');
        await this.db
          .insertInto('event_parked')
          .values({
            subscriber: s.name,
            outbox_id: failure.row.id,
            event_id: failure.row.event_id,
            name: failure.row.name,
            payload: failure.row.payload,
            attempts,
            error: lastError,
            parked_at: this.iso(now),
          })
          .execute()
          .catch(() => {}); // parked already by a process that died before moving the cursor
        pass(failure.row);
        attempts = 0;
      } else {
        retryAt = now + Math.min(300_000, this.opts.backoffMs * 2 ** (attempts - 1));
        this.logger.warn(
          { err: failure.error, subscriber: s.name, eventId: failure.row.event_id, attempts },
          'event subscriber failed; retrying',
        );
      }
    }
    const moved = expired || next.lastId !== state.lastId || next.gaps.size !== state.gaps.size;
    return { subscriber: s.name, state, next, attempts, retryAt, lastError: failure ? lastError : null, now, moved };
  }

  /** Deletes events every cursor has passed that are older than the retention, at most once a minute. */
  private async maybePrune(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastPrune < 60_000) return;
    this.lastPrune = now;
    await this.prune();
  }

  async prune(): Promise<number> {
    const now = this.clock.now().getTime();
    const min = await this.db
      .selectFrom('event_cursors')
      .select((eb) => eb.fn.min('last_id').as('min'))
      .executeTakeFirst();
    if (min?.min === null || min?.min === undefined) return 0;
    const r = await this.db
      .deleteFrom('event_outbox')
      .where('id', '<=', Number(min.min))
      .where('occurred_at', '<', this.iso(now - this.opts.retentionDays * 86_400_000))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async status(): Promise<SubscriberStatus[]> {
    const now = this.clock.now().getTime();
    const rows = await this.db.selectFrom('event_cursors').selectAll().orderBy('subscriber').execute();
    const out: SubscriberStatus[] = [];
    for (const c of rows) {
      const gaps = JSON.parse(c.gaps) as Array<[number, number]>;
      const behind = await this.db
        .selectFrom('event_outbox')
        .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('occurred_at').as('oldest')])
        .where((eb) =>
          gaps.length
            ? eb.or([
                eb('id', '>', Number(c.last_id)),
                eb(
                  'id',
                  'in',
                  gaps.map(([id]) => id),
                ),
              ])
            : eb('id', '>', Number(c.last_id)),
        )
        .executeTakeFirst();
      const parked = await this.db
        .selectFrom('event_parked')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('subscriber', '=', c.subscriber)
        .executeTakeFirst();
      const oldest = (behind?.oldest as string | null) ?? null;
      out.push({
        subscriber: c.subscriber,
        last_id: Number(c.last_id),
        behind: Number(behind?.n ?? 0),
        oldest_undelivered_at: oldest,
        oldest_undelivered_age_seconds: oldest ? Math.max(0, Math.round((now - Date.parse(oldest)) / 1000)) : null,
        gaps: gaps.length,
        attempts: c.attempts,
        retry_at: c.retry_at,
        last_error: c.last_error ? c.last_error.split('\n')[0]! : null,
        parked: Number(parked?.n ?? 0),
        lease_owner: c.lease_until && Date.parse(c.lease_until) > Date.now() ? c.lease_owner : null,
        lease_until: c.lease_until,
      });
    }
    return out;
  }
}

export function formatEventStatus(list: SubscriberStatus[]): string {
  if (list.length === 0) return 'No event subscribers have run yet.';
  const lines = ['subscriber                      behind  oldest undelivered  parked  attempts  delivering'];
  for (const s of list) {
    const age = s.oldest_undelivered_age_seconds === null ? '-' : `${s.oldest_undelivered_age_seconds}s`;
    lines.push(
      `${s.subscriber.padEnd(30)}  ${String(s.behind).padStart(6)}  ${age.padStart(18)}  ${String(s.parked).padStart(6)}  ${String(s.attempts).padStart(8)}  ${s.lease_owner ?? '-'}`,
    );
    if (s.last_error) lines.push(`  last error: ${s.last_error}${s.retry_at ? ` (retry at ${s.retry_at})` : ''}`);
  }
  return lines.join('\n');
}
