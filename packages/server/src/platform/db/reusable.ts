import { createQueryId, type Compilable, type CompiledQuery } from 'kysely';

import type { DbHandle } from './transaction';

/**
 * A Kysely query built and compiled once, then run again and again with new values. Building
 * and compiling a query with half a dozen conditions costs ~30 µs, several times what SQLite
 * takes to answer it from an index: a read run per award (the ledger's duplicate and cap checks)
 * pays that on every call. The query is built once with `sentinels` in place of the values;
 * each sentinel must come out as exactly one bound parameter (so pick values no other part of
 * the query uses), and `run` puts the call's values in their places. Other parameters of the
 * query (constants written in it) stay as they were. The SQL is the dialect's own, with the
 * handle's plugins (table prefix) applied, as Kysely compiled it.
 */
export class ReusableQuery<A extends readonly unknown[], R> {
  private compiled: CompiledQuery<R> | null = null;
  /** For each bound parameter: the index of the argument it takes, or the constant it keeps. */
  private slots: Array<{ arg: number } | { value: unknown }> = [];

  constructor(
    private readonly db: DbHandle,
    private readonly build: (db: DbHandle, ...args: A) => Compilable<R>,
    private readonly sentinels: A,
  ) {}

  private compile(): CompiledQuery<R> {
    if (this.compiled) return this.compiled;
    const compiled = this.build(this.db, ...this.sentinels).compile();
    // Reads only: a write compiled once would skip the plugins that watch writes (the facts
    // cache's WriteWatchPlugin counts them as they are compiled).
    if (compiled.query.kind !== 'SelectQueryNode') throw new Error(`ReusableQuery: reads only, not ${compiled.query.kind}`);
    const seen = this.sentinels.map(() => 0);
    this.slots = compiled.parameters.map((value) => {
      const arg = this.sentinels.findIndex((s) => Object.is(s, value));
      if (arg < 0) return { value };
      seen[arg]!++;
      return { arg };
    });
    const bad = seen.findIndex((n) => n !== 1);
    if (bad >= 0) throw new Error(`ReusableQuery: sentinel ${String(this.sentinels[bad])} is bound ${seen[bad]} times, not once`);
    this.compiled = compiled;
    return compiled;
  }

  /** The query's rows for these values. */
  async execute(...args: A): Promise<R[]> {
    const c = this.compile();
    const parameters = this.slots.map((s) => ('arg' in s ? args[s.arg] : s.value));
    const result = await this.db.executeQuery<R>({ ...c, queryId: createQueryId(), parameters });
    return result.rows;
  }

  async executeTakeFirst(...args: A): Promise<R | undefined> {
    return (await this.execute(...args))[0];
  }
}

/** The list sentinels: far from any id, and distinct from the sentinels callers pick (small negatives). */
const LIST_SENTINEL = -1_000_000_001;

/** The list length a call is compiled for: the next power of two (a 50-message page: 64). */
const listSize = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/**
 * A ReusableQuery whose one `in (…)` list of ids varies in length (a page's message ids): a
 * statement is compiled once per power-of-two length, and a shorter list is padded by repeating
 * its first id (a repeated value in `in` changes no answer). `build` gets the list first, then
 * the other arguments, whose sentinels must differ from every id sentinel (-1,000,000,001 down).
 */
export class ReusableListQuery<A extends readonly unknown[], R> {
  private readonly bySize = new Map<number, ReusableQuery<unknown[], R>>();

  constructor(
    private readonly db: DbHandle,
    private readonly build: (db: DbHandle, ids: readonly number[], ...args: A) => Compilable<R>,
    private readonly sentinels: A,
  ) {}

  /** The query's rows for these ids and values; none for no ids. */
  async execute(ids: readonly number[], ...args: A): Promise<R[]> {
    if (ids.length === 0) return [];
    const size = listSize(ids.length);
    let q = this.bySize.get(size);
    if (!q) {
      const list = Array.from({ length: size }, (_, i) => LIST_SENTINEL - i);
      q = new ReusableQuery<unknown[], R>(
        this.db,
        (db, ...all) => this.build(db, all.slice(0, size) as number[], ...(all.slice(size) as unknown as A)),
        [...list, ...this.sentinels],
      );
      this.bySize.set(size, q);
    }
    const padded = ids.length === size ? ids : [...ids, ...new Array<number>(size - ids.length).fill(ids[0]!)];
    return q.execute(...padded, ...args);
  }
}
