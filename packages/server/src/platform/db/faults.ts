import type { MysqlPool, MysqlPoolConnection, PostgresPool, PostgresPoolClient } from 'kysely';
import type { Pool as MysqlRawPool, PoolConnection as MysqlRawConnection } from 'mysql2';
import type pg from 'pg';

/**
 * The database cannot serve the request now (down, frozen, restarting, out of disk): the API
 * answers 503 with Retry-After instead of a 500, and the request can be retried later.
 */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

export interface DbTimeouts {
  connectMs: number;
  acquireMs: number;
  queryMs: number;
}

/** Called for faults nobody awaits (an idle pooled connection dropped by a restart). */
export type FaultListener = (error: unknown, where: string) => void;

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'ER_STATEMENT_TIMEOUT',
  // SQLite: the file cannot take writes (disk full, read-only, I/O error, gone).
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_BUSY',
]);

/**
 * Whether an error means "the database (or Redis) is not there right now" rather than
 * "this request is wrong": connection refused or lost, timeouts, a server shutting down or
 * restarting (PostgreSQL SQLSTATE classes 08 and 57), a SQLite file that cannot be written.
 */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; message?: unknown; name?: unknown; fatal?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (CONNECTION_CODES.has(code) || /^SQLITE_(IOERR|READONLY|CANTOPEN|FULL)_?/.test(code)) return true;
  // PostgreSQL SQLSTATE: 08xxx connection exception, 57xxx operator intervention (shutdown, cancel, statement timeout).
  if (/^(08|57)[0-9A-Z]{3}$/.test(code)) return true;
  if (e.fatal === true) return true; // mysql2 marks connection-level failures fatal
  if (e.name === 'MaxRetriesPerRequestError') return true; // ioredis: Redis unreachable (commandTimeout: 'Command timed out')
  return /Connection terminated|timeout exceeded when trying to connect|Connection is closed|Client has encountered a connection error|connect ECONNREFUSED|Command timed out/i.test(
    message,
  );
}

/** Ends one use of the gate: whether the database answered, or stayed silent / dropped the connection. */
export type GateExit = (outcome: 'answered' | 'failed' | 'unknown', error?: unknown) => void;

/**
 * A circuit in front of a pool: after a connection-level failure the database counts as down
 * and every request fails at once (503) instead of waiting out the timeouts. Meanwhile a probe
 * (`select 1` straight on the pool, at most one a second, started by the requests that arrive)
 * tests the database; its first answer, or any query's, closes the circuit again.
 */
export class DbGate {
  private downSince: number | null = null;
  private reason = '';
  private probing: Promise<void> | null = null;
  private lastProbe = 0;
  /** Set by the pool guard: one `select 1` that bypasses the gate. */
  probe: (() => Promise<void>) | null = null;

  get down(): { since: number; reason: string } | null {
    return this.downSince === null ? null : { since: this.downSince, reason: this.reason };
  }

  /** Throws while the database is down (and starts a probe when none ran this last second). */
  enter(): GateExit {
    if (this.downSince !== null) {
      void this.startProbe();
      throw new DatabaseUnavailableError(`The database is unavailable (${this.reason})`);
    }
    return (outcome, error) => {
      if (outcome === 'answered') this.up();
      else if (outcome === 'failed') this.fail(error);
    };
  }

  fail(error: unknown): void {
    if (this.downSince === null) this.downSince = Date.now();
    this.reason = error instanceof Error ? error.message.slice(0, 200) : String(error);
  }

  private up(): void {
    this.downSince = null;
  }

  /** Health: while down, wait for a probe (the running one or a new one) instead of failing at once. */
  async recheck(): Promise<void> {
    if (this.downSince === null) return;
    await (this.probing ?? this.startProbe(true));
  }

  private startProbe(now = false): Promise<void> | null {
    if (!this.probe || this.probing || (!now && Date.now() - this.lastProbe < 1000)) return this.probing;
    this.lastProbe = Date.now();
    const probing = this.probe().then(
      () => {
        this.probing = null;
        this.up();
      },
      (error: unknown) => {
        this.probing = null;
        this.fail(error);
        throw error;
      },
    );
    probing.catch(() => {}); // requests that started it do not wait for it
    this.probing = probing;
    return probing;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string, onLate: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new DatabaseUnavailableError(message));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        if (timedOut) onLate(value);
        else resolve(value);
      },
      (error: Error) => {
        clearTimeout(timer);
        if (!timedOut) reject(error);
      },
    );
  });
}

const asUnavailable = (error: unknown, what: string) =>
  error instanceof DatabaseUnavailableError
    ? error
    : new DatabaseUnavailableError(`${what}: ${(error as Error).message}`, { cause: error });

/** A statement the server cancelled (statement_timeout): the server is alive, the connection fine. */
const cancelledByServer = (error: unknown) => (error as { code?: unknown } | null)?.code === '57014';

const isRollback = (sql: string) => /^\s*rollback\s*$/i.test(sql);

/**
 * pg's pool, with an acquire timeout, a client-side guard on each query (a frozen server never
 * answers), idle-connection errors logged instead of crashing the process, and connections
 * that failed or timed out destroyed rather than returned to the pool.
 */
export function guardPgPool(
  pool: pg.Pool,
  probeClient: () => pg.Client,
  t: DbTimeouts,
  gate: DbGate,
  onFault: FaultListener,
): PostgresPool {
  // Without a listener, an idle client's error (a PostgreSQL restart) is an uncaught 'error' event.
  pool.on('error', (error) => onFault(error, 'postgres idle connection'));
  // A fresh connection, not a pooled one: a pooled socket may be the one that went silent.
  gate.probe = async () => {
    const client = probeClient();
    client.on('error', () => {});
    try {
      await withTimeout(
        client.connect().then(() => client.query('select 1')),
        t.connectMs,
        'The database did not answer the probe',
        () => {},
      );
    } finally {
      void client.end().catch(() => {});
    }
  };
  return {
    async connect() {
      const exit = gate.enter();
      let client: pg.PoolClient;
      try {
        client = await withTimeout(pool.connect(), t.acquireMs, 'Timed out waiting for a database connection', (late) => late.release());
      } catch (error) {
        exit('failed', error);
        throw asUnavailable(error, 'Cannot connect to PostgreSQL');
      }
      return wrapPgClient(client, t, gate, exit);
    },
    end: () => pool.end(),
  };
}

function wrapPgClient(client: pg.PoolClient, t: DbTimeouts, gate: DbGate, exit: GateExit): PostgresPoolClient {
  let broken: Error | null = null;
  const onError = (error: Error) => (broken ??= asUnavailable(error, 'PostgreSQL connection lost'));
  client.on('error', onError);
  const query = async (sql: string, parameters: ReadonlyArray<unknown>) => {
    if (broken) {
      // The server rolled back with the connection; the rollback's own failure would hide the real error.
      if (isRollback(sql)) return { command: 'ROLLBACK', rowCount: 0, rows: [] };
      throw broken;
    }
    const pending = client.query(sql, parameters as unknown[]);
    pending.catch(() => {}); // it may settle after the guard gave up; never an unhandled rejection
    try {
      // The server's statement_timeout answers first while it is alive; this guard is for silence.
      const result = await withTimeout(pending, t.queryMs + 1000, 'The database did not answer in time', () => {});
      exit('answered');
      return result;
    } catch (error) {
      if (!isUnavailable(error) || cancelledByServer(error)) exit('answered');
      else {
        broken ??= asUnavailable(error, 'PostgreSQL connection failed');
        exit('failed', error);
        gate.fail(error);
      }
      throw error;
    }
  };
  return {
    query: query as unknown as PostgresPoolClient['query'],
    release() {
      exit('unknown');
      client.off('error', onError);
      // release(error) destroys the client; the pool opens a fresh one when the database is back.
      if (broken) client.release(broken);
      else client.release();
    },
  };
}

/**
 * mysql2's pool with the same guards: acquire timeout, query guard, broken connections destroyed
 * (mysql2's pool has no acquire or query timeout of its own).
 */
export function guardMysqlPool(pool: MysqlRawPool, t: DbTimeouts, gate: DbGate, onFault: FaultListener): MysqlPool {
  const seen = new WeakSet<MysqlRawConnection>();
  gate.probe = () =>
    withTimeout(
      new Promise<void>((resolve, reject) =>
        pool.getConnection((error, conn) => {
          if (error) return reject(error);
          // A probe that never answers must not keep its connection: destroyed on timeout below.
          const timer = setTimeout(() => conn.destroy(), t.connectMs);
          conn.query('select 1', (e) => {
            clearTimeout(timer);
            if (e) conn.destroy();
            else conn.release();
            if (e) reject(e);
            else resolve();
          });
        }),
      ),
      t.connectMs,
      'The database did not answer the probe',
      () => {},
    );
  return {
    getConnection(callback) {
      let exit: GateExit;
      try {
        exit = gate.enter();
      } catch (error) {
        callback(error, undefined as unknown as MysqlPoolConnection);
        return;
      }
      const acquired = new Promise<MysqlRawConnection>((resolve, reject) =>
        pool.getConnection((error, conn) => (error ? reject(error) : resolve(conn))),
      );
      withTimeout(acquired, t.acquireMs, 'Timed out waiting for a database connection', (late) => late.release()).then(
        (conn) => {
          if (!seen.has(conn)) {
            seen.add(conn);
            // mysql2 listens once for 'error' on a pooled connection; a second one would be uncaught.
            conn.on('error', (error) => onFault(error, 'mysql connection'));
          }
          callback(null, wrapMysqlConnection(conn, t, gate, exit));
        },
        (error: unknown) => {
          exit('failed', error);
          callback(asUnavailable(error, 'Cannot connect to MariaDB'), undefined as unknown as MysqlPoolConnection);
        },
      );
    },
    end: (callback) => pool.end(callback),
  };
}

function wrapMysqlConnection(conn: MysqlRawConnection, t: DbTimeouts, gate: DbGate, exit: GateExit): MysqlPoolConnection {
  let broken: Error | null = null;
  function query(sql: string, parameters: Array<unknown>, callback?: (error: unknown, result: never) => void) {
    if (!callback) return conn.query(sql, parameters); // streaming (unused here): unguarded
    if (broken) {
      if (isRollback(sql)) return callback(null, { affectedRows: 0 } as never);
      return callback(broken, undefined as never);
    }
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      broken = new DatabaseUnavailableError('The database did not answer in time');
      exit('failed', broken);
      gate.fail(broken);
      callback(broken, undefined as never);
    }, t.queryMs);
    conn.query(sql, parameters, (error, result) => {
      clearTimeout(timer);
      if (done) return;
      if (error && isUnavailable(error)) {
        broken = asUnavailable(error, 'MariaDB connection failed');
        exit('failed', error);
        gate.fail(error);
      } else exit('answered');
      callback(error, result as never);
    });
  }
  return {
    query: query as MysqlPoolConnection['query'],
    release() {
      exit('unknown');
      // A destroyed connection leaves the pool; releasing it as well would put it back.
      if (broken) conn.destroy();
      else conn.release();
    },
  };
}
