import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createApi, type Api } from '@communities/client';
import { afterAll, describe, expect, it } from 'vitest';

import { connect } from '../src/platform/db/connect';

import type { TestDatabase } from './support/databases';
import { freePort, servedDatabase, serveProcess, type Node } from './support/nodes';

/**
 * The real server, killed with SIGKILL in the middle of a burst of posts and started again:
 * every post it acknowledged is there, and sending each unacknowledged post again with its
 * nonce stores it exactly once. Prints the figures per database.
 */

const CLIENTS = 20;
/** The server is killed once this many posts were acknowledged. */
const KILL_AFTER = 150;

/** A server on `port` (the same one again after a kill, so clients keep their address). */
const startNode = (env: Record<string, string>, port: number): Promise<Node> =>
  serveProcess({ COMMUNITIES__RATE_LIMITS__MESSAGES__MAX: '1000000', ...env }, { port });

const nodes: ChildProcess[] = [];
afterAll(() => {
  for (const p of nodes) if (p.exitCode === null) p.kill('SIGKILL');
});

for (const dialect of ['sqlite', 'mysql', 'postgres'] as const) {
  describe(`SIGKILL under load on ${dialect}`, () => {
    it('keeps every acknowledged post; resending the rest with their nonces stores each once', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sigkill-'));
      let db: TestDatabase | undefined;
      try {
        const served = await servedDatabase(dialect, dir);
        db = served.db;
        const { env, url } = served;
        const port = await freePort();
        let node = await startNode(env, port);
        nodes.push(node.proc);

        const tokens = new Map<number, string>();
        const as = (id: number): Api => createApi({ baseUrl: node.url, token: () => tokens.get(id)! });
        const sign = async (id: number) =>
          tokens.set(id, (await createApi({ baseUrl: node.url }).system.demoToken({ body: { user_id: id } })).token);
        const owner = 2;
        const people = Array.from({ length: CLIENTS }, (_, i) => 5 + i);
        for (const id of [owner, ...people]) await sign(id);
        const c = await as(owner).communities.create({ body: { name: 'Kill Test', visibility: 'public' } });
        for (const u of people) await as(u).communities.join({ params: { id: c.slug }, body: {} });
        const general = (await as(people[0]!).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!;

        // Load: each client posts one message after another until the server is gone.
        const acked = new Map<string, number>(); // nonce -> id the server answered
        const unacked: Array<{ user: number; nonce: string; content: string }> = [];
        let killed = false;
        const kill = () => {
          if (killed) return;
          killed = true;
          node.proc.kill('SIGKILL');
        };
        await Promise.all(
          people.map(async (u) => {
            for (let i = 0; !killed || i === 0; i++) {
              const nonce = `kill-${u}-${i}`;
              const content = `message ${i} from ${u}`;
              try {
                const m = await as(u).channels.post({ params: { channelId: general.id }, body: { content, nonce } });
                acked.set(nonce, m.id);
                if (acked.size >= KILL_AFTER) kill();
              } catch {
                unacked.push({ user: u, nonce, content });
                if (killed) return;
              }
            }
          }),
        );
        await new Promise((r) => (node.proc.exitCode !== null || node.proc.signalCode !== null ? r(null) : node.proc.once('exit', r)));

        node = await startNode(env, port);
        nodes.push(node.proc);
        const check = connect(url);
        try {
          const rows = async () =>
            check.db
              .selectFrom('channel_messages')
              .select(['id', 'nonce', 'user_id', 'content'])
              .where('channel_id', '=', general.id)
              .execute();
          const before = await rows();
          const byNonce = new Map(before.map((r) => [r.nonce, r]));
          const lost = [...acked].filter(([nonce, id]) => byNonce.get(nonce)?.id !== id);
          const committedUnacked = unacked.filter((s) => byNonce.has(s.nonce)).length;

          // Every unacknowledged send again, with its nonce: a stored one answers with itself.
          let retryFailures = 0;
          await Promise.all(
            unacked.map(async (s) => {
              try {
                const m = await as(s.user).channels.post({
                  params: { channelId: general.id },
                  body: { content: s.content, nonce: s.nonce },
                });
                const stored = byNonce.get(s.nonce);
                if (stored && stored.id !== m.id) retryFailures++;
              } catch {
                retryFailures++;
              }
            }),
          );
          const after = await rows();
          const duplicates = after.length - new Set(after.map((r) => `${r.user_id}:${r.nonce}`)).size;
          const contentDuplicates = after.length - new Set(after.map((r) => `${r.user_id}:${r.content}`)).size;
          console.log(
            `[sigkill] ${dialect}: acknowledged ${acked.size}, of them persisted ${acked.size - lost.length}; ` +
              `unacknowledged ${unacked.length} (${committedUnacked} had committed before the kill), retried ${unacked.length} ` +
              `(${retryFailures} failed); rows after retry ${after.length}, duplicates ${duplicates + contentDuplicates}`,
          );
          expect(lost).toEqual([]);
          expect(retryFailures).toBe(0);
          expect(duplicates + contentDuplicates).toBe(0);
          expect(after.length).toBe(acked.size + unacked.length);
        } finally {
          await check.destroy();
        }
        node.proc.kill('SIGTERM');
        await new Promise((r) => node.proc.once('exit', r));
      } finally {
        await db?.drop().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
    }, 240_000);
  });
}
