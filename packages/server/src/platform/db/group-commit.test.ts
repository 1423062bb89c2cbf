import { afterEach, describe, expect, it } from 'vitest';

import { connect, type Db } from './connect';
import { GroupCommit } from './group-commit';
import { migrateToLatest } from './migrate';

let db: Db;
afterEach(async () => db?.destroy());

const community = (name: string, now = new Date().toISOString()) => ({
  owner_id: 1,
  name,
  slug: name.toLowerCase(),
  visibility: 'public',
  status: 'active',
  settings: '{}',
  member_count: 0,
  created_at: now,
  updated_at: now,
});

describe('GroupCommit (SQLite)', () => {
  it('shares one transaction between writes that arrive together; a failing one rolls back alone', async () => {
    db = connect('sqlite::memory:');
    await migrateToLatest(db);
    const after: string[] = [];
    const write = (name: string, fail = false) =>
      db.groupCommit.run(async (trx, afterCommit) => {
        await trx.insertInto('communities').values(community(name)).execute();
        afterCommit(() => void after.push(name));
        if (fail) throw new Error(`no ${name}`);
        return name;
      });
    const results = await Promise.allSettled([write('Alpha'), write('Beta', true), write('Gamma')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const names = (await db.db.selectFrom('communities').select('name').orderBy('id').execute()).map((r) => r.name);
    expect(names).toEqual(['Alpha', 'Gamma']);
    expect(after).toEqual(['Alpha', 'Gamma']);
  });

  it('runs once-work once per shared transaction: the last successful registration wins', async () => {
    db = connect('sqlite::memory:');
    await migrateToLatest(db);
    await db.db.insertInto('communities').values(community('Owner')).execute();
    const ran: string[] = [];
    const write = (name: string, fail = false) =>
      db.groupCommit.run(async (trx, _afterCommit, once) => {
        await trx.insertInto('communities').values(community(name)).execute();
        once('last', async (t) => {
          ran.push(name);
          await t
            .updateTable('communities')
            .set({ description: `last: ${name}` })
            .where('slug', '=', 'owner')
            .execute();
        });
        if (fail) throw new Error(`no ${name}`);
        return name;
      });
    await Promise.allSettled([write('One'), write('Two'), write('Three', true)]);
    // Three rolled back, so its registration went with it; Two's replaced One's.
    expect(ran).toEqual(['Two']);
    const row = await db.db.selectFrom('communities').select('description').where('slug', '=', 'owner').executeTakeFirstOrThrow();
    expect(row.description).toBe('last: Two');
  });

  it('runs once-work after a lone transaction commits, on its own, before the other after-commit work', async () => {
    db = connect('sqlite::memory:');
    await migrateToLatest(db);
    const alone = new GroupCommit(db.db);
    const seen: string[] = [];
    await alone.run(async (trx, afterCommit, once) => {
      await trx.insertInto('communities').values(community('Lone')).execute();
      once('k', async (d) => {
        // Outside the write's transaction: the write is visible through the plain handle.
        const row = await d.selectFrom('communities').select('name').where('slug', '=', 'lone').executeTakeFirst();
        seen.push(`once saw ${row?.name}`);
      });
      afterCommit(() => void seen.push('after'));
    });
    expect(seen).toEqual(['once saw Lone', 'after']);
    // Once-work that fails still lets the write's own after-commit work run, then reports.
    await expect(
      alone.run(async (_trx, afterCommit, once) => {
        once('k', () => Promise.reject(new Error('bookkeeping down')));
        afterCommit(() => void seen.push('event'));
      }),
    ).rejects.toThrow('bookkeeping down');
    expect(seen).toContain('event');
  });

  it('runs once-work at the end of a lone transaction on server databases too', async () => {
    db = connect('sqlite::memory:');
    await migrateToLatest(db);
    const alone = new GroupCommit(db.db);
    const ran: string[] = [];
    await alone.run(async (trx, _a, once) => {
      once('k', async () => void ran.push('first'));
      once('k', async () => void ran.push('second'));
      await trx.insertInto('communities').values(community('Solo')).execute();
    });
    expect(ran).toEqual(['second']);
    await expect(
      alone.run(async (_trx, _a, once) => {
        once('k', async () => void ran.push('never'));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(ran).toEqual(['second']);
  });

  it('counts writes to fact tables but not bookkeeping updates', async () => {
    db = connect('sqlite::memory:');
    await migrateToLatest(db);
    const g0 = db.factsWrites.generation;
    await db.db.insertInto('communities').values(community('Delta')).execute();
    const g1 = db.factsWrites.generation;
    expect(g1).toBeGreaterThan(g0);
    await db.db.updateTable('communities').set({ last_activity_at: new Date().toISOString() }).execute();
    await db.db.insertInto('domain_events').values({ name: 'X', payload: '{}', occurred_at: new Date().toISOString() }).execute();
    expect(db.factsWrites.generation).toBe(g1);
    await db.db.updateTable('communities').set({ name: 'Delta 2' }).execute();
    expect(db.factsWrites.generation).toBeGreaterThan(g1);
  });
});
