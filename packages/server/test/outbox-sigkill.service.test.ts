import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createApi, type Api } from '@communities/client';
import { afterAll, describe, expect, it } from 'vitest';

import { connect } from '../src/platform/db/connect';

import type { TestDatabase } from './support/databases';
import { freePort, servedDatabase, serveForOutbox } from './support/nodes';

/**
 * Durable domain events: the real server, killed with SIGKILL under load (posts, joins, racing
 * duplicate sends that roll back) while its dispatcher is behind, then started again. Every
 * committed change has its event exactly once, every durable subscriber's effect appears
 * exactly once per committed event (the analytics log, feed milestones), rolled-back writes
 * have none. Prints the figures per database.
 */

const CLIENTS = 20;
/** The server is killed once this many posts were acknowledged. */
const KILL_AFTER = 200;
const COMMUNITIES = 6;

const nodes: ChildProcess[] = [];
afterAll(() => {
  for (const p of nodes) if (p.exitCode === null) p.kill('SIGKILL');
});

const SUBSCRIBERS = ['analytics.event-log', 'feed.system-items'];

for (const dialect of ['sqlite', 'mysql', 'postgres'] as const) {
  describe(`outbox: SIGKILL under load on ${dialect}`, () => {
    it('delivers every committed event to every subscriber exactly once after a restart, and none for rolled-back writes', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'outbox-kill-'));
      let db: TestDatabase | undefined;
      try {
        const served = await servedDatabase(dialect, dir);
        db = served.db;
        const { env, url } = served;
        const port = await freePort();
        let node = await serveForOutbox(env, port);
        nodes.push(node.proc);

        const tokens = new Map<number, string>();
        const as = (id: number): Api => createApi({ baseUrl: node.url, token: () => tokens.get(id)! });
        const sign = async (id: number) =>
          tokens.set(id, (await createApi({ baseUrl: node.url }).system.demoToken({ body: { user_id: id } })).token);
        const owner = 2;
        const people = Array.from({ length: CLIENTS }, (_, i) => 5 + i);
        for (const id of [owner, ...people]) await sign(id);
        const home = await as(owner).communities.create({ body: { name: 'Outbox Kill', visibility: 'public' } });
        const others: Array<{ slug: string }> = [];
        for (let i = 0; i < COMMUNITIES; i++)
          others.push(await as(owner).communities.create({ body: { name: `Outbox Join ${i}`, visibility: 'public' } }));
        for (const u of people) await as(u).communities.join({ params: { id: home.slug }, body: {} });
        const general = (await as(people[0]!).channels.list({ params: { id: home.slug } })).items.find((x) => x.slug === 'general')!;

        // Load: each client posts, joins the next community every third turn, and every fifth
        // turn sends one post twice at once (one of the two rolls back on the nonce).
        let acked = 0;
        let killed = false;
        await Promise.all(
          people.map(async (u) => {
            for (let i = 0; !killed; i++) {
              const body = { content: `message ${i} from ${u}`, nonce: `ok-${u}-${i}` };
              const post = () => as(u).channels.post({ params: { channelId: general.id }, body });
              try {
                if (i % 5 === 4) await Promise.all([post(), post()]);
                else await post();
                if (i % 3 === 0 && others[i / 3]) await as(u).communities.join({ params: { id: others[i / 3]!.slug }, body: {} });
                if (++acked >= KILL_AFTER && !killed) {
                  killed = true;
                  node.proc.kill('SIGKILL');
                }
              } catch {
                if (killed) return;
              }
            }
          }),
        );
        await new Promise((r) => (node.proc.exitCode !== null || node.proc.signalCode !== null ? r(null) : node.proc.once('exit', r)));

        const check = connect(url);
        try {
          const behind = async () => {
            const max = Number(
              (
                await check.db
                  .selectFrom('event_outbox')
                  .select((eb) => eb.fn.max('id').as('m'))
                  .executeTakeFirst()
              )?.m ?? 0,
            );
            const cursors = await check.db.selectFrom('event_cursors').select(['subscriber', 'last_id', 'gaps']).execute();
            return Object.fromEntries(
              SUBSCRIBERS.map((s) => {
                const c = cursors.find((x) => x.subscriber === s);
                return [s, max - Number(c?.last_id ?? 0)];
              }),
            );
          };
          const atKill = await behind();
          const committedAtKill = Number(
            (
              await check.db
                .selectFrom('event_outbox')
                .select((eb) => eb.fn.countAll().as('n'))
                .executeTakeFirst()
            )?.n ?? 0,
          );

          node = await serveForOutbox(env, port);
          nodes.push(node.proc);
          const started = Date.now();
          for (let i = 0; i < 400; i++) {
            const b = await behind();
            if (Object.values(b).every((n) => n === 0)) break;
            await new Promise((r) => setTimeout(r, 100));
          }
          const catchUpMs = Date.now() - started;

          const outbox = await check.db.selectFrom('event_outbox').select(['id', 'event_id', 'name', 'payload']).execute();
          const messages = await check.db.selectFrom('channel_messages').select('id').where('channel_id', '=', general.id).execute();
          const posted = outbox
            .filter((e) => e.name === 'MessagePosted')
            .map((e) => JSON.parse(e.payload) as { message_id: number; channel_id: number })
            .filter((p) => p.channel_id === general.id)
            .map((p) => p.message_id);
          const postedCount = new Map<number, number>();
          for (const id of posted) postedCount.set(id, (postedCount.get(id) ?? 0) + 1);
          const messageIds = new Set(messages.map((m) => Number(m.id)));
          const eventsWithoutMessage = posted.filter((id) => !messageIds.has(id)).length;
          const messagesWithoutOneEvent = [...messageIds].filter((id) => postedCount.get(id) !== 1).length;

          const logged = await check.db.selectFrom('domain_events').select('event_id').where('event_id', 'is not', null).execute();
          const logCount = new Map<string, number>();
          for (const r of logged) logCount.set(r.event_id!, (logCount.get(r.event_id!) ?? 0) + 1);
          const outboxIds = new Set(outbox.map((e) => e.event_id));
          const notLogged = outbox.filter((e) => logCount.get(e.event_id) !== 1).length;
          const loggedUnknown = [...logCount.keys()].filter((id) => !outboxIds.has(id)).length;

          const milestoneEvents = outbox
            .filter((e) => e.name === 'CommunityJoined')
            .map((e) => JSON.parse(e.payload) as { community_id: number; member_count: number })
            .filter((p) => p.member_count === 10);
          const milestones = await check.db
            .selectFrom('central_feed_items')
            .select('dedupe_key')
            .where('dedupe_key', 'like', 'milestone:%')
            .execute();
          const milestoneKeys = milestones.map((m) => m.dedupe_key);
          const missingMilestones = milestoneEvents.filter(
            (p) => milestoneKeys.filter((k) => k === `milestone:${p.community_id}:10`).length !== 1,
          ).length;

          console.log(
            `[outbox-sigkill] ${dialect}: ${acked} writes acknowledged; ${committedAtKill} events committed at the kill, ` +
              `undelivered then: ${SUBSCRIBERS.map((s) => `${s} ${atKill[s]}`).join(', ')}; all caught up ${catchUpMs} ms after the restarted server answered; ` +
              `${messages.length} messages, ${posted.length} MessagePosted events (${eventsWithoutMessage} without a message, ${messagesWithoutOneEvent} messages without exactly one); ` +
              `${outbox.length} events, ${notLogged} not logged exactly once, ${loggedUnknown} logged without an event; ` +
              `${milestoneEvents.length} milestone joins, ${milestones.length} milestone items, ${missingMilestones} missing or doubled`,
          );
          expect(await behind()).toEqual(Object.fromEntries(SUBSCRIBERS.map((s) => [s, 0])));
          expect(eventsWithoutMessage).toBe(0);
          expect(messagesWithoutOneEvent).toBe(0);
          expect(notLogged).toBe(0);
          expect(loggedUnknown).toBe(0);
          expect(missingMilestones).toBe(0);
          expect(milestones.length).toBe(milestoneEvents.length);
        } finally {
          await check.destroy();
        }
        node.proc.kill('SIGTERM');
        await new Promise((r) => node.proc.once('exit', r));
      } finally {
        await db?.drop().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
    }, 300_000);
  });
}
