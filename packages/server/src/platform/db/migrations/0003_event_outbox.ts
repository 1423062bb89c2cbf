import { sql, type CreateTableBuilder, type Kysely } from 'kysely';

import type { AddonMigration, MigrationContext } from '../columns';

type T = CreateTableBuilder<string, string>;

/**
 * The transactional outbox. `event_outbox` holds each domain event, written in the transaction
 * of the change it describes; `event_cursors` holds, per subscriber, the last event delivered,
 * the ids it skipped that may still commit (see platform/events.ts), its retry state and the
 * delivery lease; `event_parked` the events a subscriber gave up on after its retries.
 * `domain_events` (the analytics log) gains the event's id, unique, so the log subscriber
 * writes each event once however often it is delivered. FROZEN once released.
 */
export const eventOutbox: AddonMigration = {
  name: '0003_event_outbox',
  creates: ['event_outbox', 'event_cursors', 'event_parked'],
  async up(db: Kysely<unknown>, ctx: MigrationContext) {
    const p = (table: string) => ctx.prefix + table;
    const text = ctx.dialect === 'mysql' ? sql`mediumtext` : sql`text`;
    const id = (t: T): T =>
      ctx.dialect === 'postgres'
        ? t.addColumn('id', 'bigserial', (c) => c.primaryKey())
        : ctx.dialect === 'mysql'
          ? t.addColumn('id', 'bigint', (c) => c.primaryKey().autoIncrement())
          : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
    const table = async (name: string, build: (t: T) => T) => {
      let t = build(db.schema.createTable(p(name)));
      if (ctx.dialect === 'mysql') t = t.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci`);
      await t.execute();
    };

    await table('event_outbox', (t) =>
      id(t)
        .addColumn('event_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('name', 'varchar(48)', (c) => c.notNull())
        .addColumn('payload', text, (c) => c.notNull())
        .addColumn('occurred_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint(p('event_outbox__event_id_uq'), ['event_id']),
    );
    await db.schema.createIndex(p('event_outbox__occurred_at_ix')).on(p('event_outbox')).columns(['occurred_at']).execute();
    await table('event_cursors', (t) =>
      id(t)
        .addColumn('subscriber', 'varchar(100)', (c) => c.notNull())
        .addColumn('last_id', 'bigint', (c) => c.notNull())
        .addColumn('gaps', text, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('retry_at', 'varchar(32)')
        .addColumn('last_error', text)
        .addColumn('lease_owner', 'varchar(64)')
        .addColumn('lease_until', 'varchar(32)')
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint(p('event_cursors__subscriber_uq'), ['subscriber']),
    );
    await table('event_parked', (t) =>
      id(t)
        .addColumn('subscriber', 'varchar(100)', (c) => c.notNull())
        .addColumn('outbox_id', 'bigint', (c) => c.notNull())
        .addColumn('event_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('name', 'varchar(48)', (c) => c.notNull())
        .addColumn('payload', text, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('error', text)
        .addColumn('parked_at', 'varchar(32)', (c) => c.notNull())
        .addUniqueConstraint(p('event_parked__subscriber_event_id_uq'), ['subscriber', 'event_id']),
    );
    await db.schema.alterTable(p('domain_events')).addColumn('event_id', 'varchar(36)').execute();
    await db.schema.createIndex(p('domain_events__event_id_uq')).on(p('domain_events')).columns(['event_id']).unique().execute();
  },
};
