import { sql, type Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

/**
 * Ledger-first points (#17). An award's transaction writes its ledger row and the two all-time
 * score rows (community and site-wide: levels, level-gated channels and own points read them at
 * once); its week and month score rows and the member's profile are a projection, folded in from
 * the ledger in batches (gamification/fold.ts). `gamification_events.folded` says whether a row's
 * period rows and profile include it: 1 for every row written before this migration (they do)
 * and for reversals (written whole), 0 for an award until the folder's transaction folds it and
 * sets it to 1 together with the upserts, so each row is folded exactly once whatever crashes.
 * `(folded, id)` finds the rows still to fold (appended at its end, so cheap to keep).
 * `gamification_folds` holds one row per folder (`scores`): the folder locks it, so two
 * processes never fold the same rows, and counts the rows folded. FROZEN once released.
 */
export const gamificationFold: AddonMigration = {
  name: '0016_gamification_fold',
  creates: ['gamification_folds'],
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    const p = (table: string) => ctx.prefix + table;
    await db.schema
      .alterTable(p('gamification_events'))
      .addColumn('folded', 'smallint', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.createIndex(p('gamification_events__folded_ix')).on(p('gamification_events')).columns(['folded', 'id']).execute();
    let t = db.schema
      .createTable(p('gamification_folds'))
      .addColumn('id', ctx.dialect === 'postgres' ? 'bigserial' : ctx.dialect === 'mysql' ? 'bigint' : 'integer', (c) =>
        ctx.dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('name', 'varchar(32)', (c) => c.notNull())
      .addColumn('rows_folded', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint(p('gamification_folds__name_uq'), ['name']);
    if (ctx.dialect === 'mysql') t = t.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`);
    await t.execute();
    await sql`insert into ${sql.table(p('gamification_folds'))} (name, rows_folded, updated_at) values ('scores', 0, ${new Date().toISOString()})`.execute(
      db,
    );
  },
};
