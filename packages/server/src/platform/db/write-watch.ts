import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

const WRITES = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode', 'MergeQueryNode']);

/** Whether a query tree names one of the tables (walks the plain-object operation nodes). */
function touches(node: unknown, tables: ReadonlySet<string>): boolean {
  if (!node || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((n) => touches(n, tables));
  const n = node as { kind?: string; table?: { identifier?: { name?: string } } };
  if (n.kind === 'TableNode' && n.table?.identifier?.name && tables.has(n.table.identifier.name)) return true;
  for (const v of Object.values(node)) if (v && typeof v === 'object' && touches(v, tables)) return true;
  return false;
}

/** An update that only sets bookkeeping columns no cached fact depends on. */
function onlyVolatile(node: RootOperationNode, volatile: ReadonlySet<string>): boolean {
  if (node.kind !== 'UpdateQueryNode' || !node.updates?.length) return false;
  return node.updates.every((u) => {
    const col = u.column as { column?: { name?: string } };
    return col.column?.name !== undefined && volatile.has(col.column.name);
  });
}

/**
 * Counts writes to chosen tables: every insert, update or delete that names one bumps a
 * generation number, so in-process caches of rows from those tables (access facts) drop
 * what they hold the moment this process changes them. Runs before the prefix plugin, on
 * the bare table names.
 */
export class WriteWatchPlugin implements KyselyPlugin {
  generation = 0;

  constructor(
    private readonly tables: ReadonlySet<string>,
    /** Columns (of any watched table) whose updates do not count, e.g. last_message_id. */
    private readonly volatile: ReadonlySet<string> = new Set(),
  ) {}

  /** Whether a write to `table` (bare name) counts: a statement compiled once must not write to one (see ReusableInsert). */
  watches(table: string): boolean {
    return this.tables.has(table);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node;
    if (!WRITES.has(node.kind)) return node;
    // A plain insert names its one table up front: no need to walk its (possibly many) rows.
    if (node.kind === 'InsertQueryNode') {
      if (this.tables.has(node.into?.table.identifier.name ?? '')) this.generation++;
      return node;
    }
    if (!onlyVolatile(node, this.volatile) && touches(node, this.tables)) this.generation++;
    return node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}
