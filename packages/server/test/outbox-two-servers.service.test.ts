import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createApi, type Api } from '@communities/client';
import { afterAll, describe, expect, it } from 'vitest';

import { connect } from '../src/platform/db/connect';

import { createTestDatabase } from './support/databases';
import { freePort, serveForOutbox, type Node } from './support/nodes';

/**
 * Two servers on one database: one of them delivers each subscriber's events (the lease in its
 * cursor row). SIGKILL that one under load: the other takes over once the lease ran out, and
 * every event is delivered, once, to every subscriber. Prints the figures per database.
 */

const CLIENTS = 10;

const nodes: ChildProcess[] = [];
afterAll(() => {
  for (const p of nodes) if (p.exitCode === null) p.kill('SIGKILL');
});

const SUBSCRIBERS = ['analytics.event-log', 'feed.system-items'];

for (const dialect of ['mysql', 'postgres'] as const) {
  describe(`outbox: two servers on ${dialect}`, () => {
    it('has one deliverer per subscriber, and the other server takes over when it is killed', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'outbox-two-'));
      const db = await createTestDatabase(dialect);
      try {
        await db.db.destroy();
        const env: Record<string, string> = { DATABASE_URL: db.url };
        if (dialect === 'postgres') env.COMMUNITIES__HOST__DATABASE_URL = `sqlite://${join(dir, 'host.sqlite')}`;
        const a = await serveForOutbox(env, await freePort());
        nodes.push(a.proc);
        const b = await serveForOutbox(env, await freePort());
        nodes.push(b.proc);
        const byPid = new Map([a, b].map((n) => [n.proc.pid!, n]));

        const tokens = new Map<number, string>();
        const as = (node: Node, id: number): Api => createApi({ baseUrl: node.url, token: () => tokens.get(id)! });
        const sign = async (id: number) =>
          tokens.set(id, (await createApi({ baseUrl: a.url }).system.demoToken({ body: { user_id: id } })).token);
        const owner = 2;
        const people = Array.from({ length: CLIENTS }, (_, i) => 5 + i);
        for (const id of [owner, ...people]) await sign(id);
        const c = await as(a, owner).communities.create({ body: { name: 'Two Servers', visibility: 'public' } });
        for (const u of people) await as(b, u).communities.join({ params: { id: c.slug }, body: {} });
        const general = (await as(a, people[0]!).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!;
        const burst = async (targets: Node[], round: number) =>
          Promise.all(
            people.map(async (u, i) => {
              for (let k = 0; k < 6; k++)
                await as(targets[(i + k) % targets.length]!, u).channels.post({
                  params: { channelId: general.id },
                  body: { content: `round ${round} ${k} from ${u}`, nonce: `two-${round}-${u}-${k}` },
                });
            }),
          );

        const check = connect(db.url);
        try {
          const cursors = () => check.db.selectFrom('event_cursors').select(['subscriber', 'last_id', 'lease_owner']).execute();
          const maxId = async () =>
            Number(
              (
                await check.db
                  .selectFrom('event_outbox')
                  .select((eb) => eb.fn.max('id').as('m'))
                  .executeTakeFirst()
              )?.m ?? 0,
            );
          const caughtUp = async () => {
            for (let i = 0; i < 600; i++) {
              const max = await maxId();
              const cs = await cursors();
              // Every subscriber, not only the two named: the check below wants each cursor held by the
              // survivor, and one the survivor had not reached yet failed it on MariaDB.
              if (SUBSCRIBERS.every((s) => cs.some((x) => x.subscriber === s)) && cs.every((x) => Number(x.last_id) >= max)) return;
              await new Promise((r) => setTimeout(r, 100));
            }
            throw new Error('the subscribers never caught up');
          };
          await burst([a, b], 1);
          await caughtUp();
          const pidOf = (owner: string | null) => Number(owner?.split(':')[1]);
          const before = await cursors();
          const holders = new Set(before.map((x) => pidOf(x.lease_owner)));
          // Kill the server that delivers the event log, in the middle of a burst.
          const victim = byPid.get(pidOf(before.find((x) => x.subscriber === 'analytics.event-log')!.lease_owner))!;
          const survivor = victim === a ? b : a;
          const load = burst([survivor], 2);
          await new Promise((r) => setTimeout(r, 50));
          victim.proc.kill('SIGKILL');
          const killedAt = Date.now();
          await load;
          // Events recorded after the kill: only the survivor can move any cursor past them (a fast
          // victim may have delivered the whole first burst within the 50 ms it had).
          await burst([survivor], 3);
          await caughtUp();
          const takeoverMs = Date.now() - killedAt;
          const after = await cursors();

          const outbox = await check.db.selectFrom('event_outbox').select('event_id').execute();
          const logged = await check.db.selectFrom('domain_events').select('event_id').where('event_id', 'is not', null).execute();
          const count = new Map<string, number>();
          for (const r of logged) count.set(r.event_id!, (count.get(r.event_id!) ?? 0) + 1);
          const notOnce = outbox.filter((e) => count.get(e.event_id) !== 1).length;
          console.log(
            `[outbox-two] ${dialect}: ${outbox.length} events; deliverers before the kill: ${[...holders].map((p) => (p === a.proc.pid ? 'A' : 'B')).join(', ')}; ` +
              `all delivered ${takeoverMs} ms after killing the event log's deliverer (lease 2 s), now by ${[...new Set(after.map((x) => (pidOf(x.lease_owner) === a.proc.pid ? 'A' : 'B')))].join(', ')}; ` +
              `${notOnce} events not logged exactly once`,
          );
          expect(after.filter((x) => pidOf(x.lease_owner) !== survivor.proc.pid)).toEqual([]);
          expect(notOnce).toBe(0);
          expect(logged.length).toBe(outbox.length);
        } finally {
          await check.destroy();
        }
        for (const n of [a, b])
          if (n.proc.exitCode === null && n.proc.signalCode === null) {
            n.proc.kill('SIGTERM');
            await new Promise((r) => n.proc.once('exit', r));
          }
      } finally {
        await db.drop().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
    }, 240_000);
  });
}
