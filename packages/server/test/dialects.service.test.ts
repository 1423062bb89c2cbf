import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { addMember, expectStatus, makeCommunity } from './support/factories';
import { createTestDatabase } from './support/databases';
import { startTestServer } from './support/server';

/**
 * The product's main paths on RocketLMS's own database engine (MariaDB) and on PostgreSQL,
 * through HTTP: keyset pages, window functions, LIKE escapes, unique keys and transactions.
 */
for (const dialect of ['mysql', 'postgres'] as const) {
  describe(`communities, feed and chat on ${dialect}`, () => {
    it('create, discover, join, post, thread, react, page, chat, DM', async () => {
      const db = await createTestDatabase(dialect);
      await db.db.destroy();
      const s = await startTestServer({
        database: { url: db.url, table_prefix: 'cm_' },
        // PostgreSQL deployments keep RocketLMS's tables elsewhere; the demo school goes in a SQLite file.
        ...(dialect === 'postgres' ? { host: { database_url: `sqlite://${join(tmpdir(), `host-${Date.now()}.sqlite`)}` } } : {}),
      });
      try {
        const owner = s.demo.instructorIds[0]!;
        const st = s.demo.studentIds;
        const c = await makeCommunity(s, { name: '100% Caf\u00e9 Club' });
        expect(c.slug).toBe('100-cafe-club');
        expect((await s.as(st[0]!).communities.list({ query: { q: '100%' } })).items.map((x) => x.id)).toEqual([c.id]);
        expect((await s.as(st[0]!).communities.list({ query: { q: '_' } })).items).toEqual([]);
        for (const u of st.slice(0, 6)) await addMember(s, c.id, u);
        const members = await s.as(owner).communities.members({ params: { id: c.slug }, query: { limit: 4 } });
        const rest = await s.as(owner).communities.members({ params: { id: c.slug }, query: { limit: 4, cursor: members.next_cursor! } });
        expect(new Set([...members.items, ...rest.items].map((m) => m.user.id)).size).toBe(7);
        const post = await s.as(st[0]!).feed.post({ params: { id: c.slug }, body: { content: 'Hi \u{1F600}', nonce: 'dialect-nonce-1' } });
        expect(
          (await s.as(st[0]!).feed.post({ params: { id: c.slug }, body: { content: 'Hi \u{1F600}', nonce: 'dialect-nonce-1' } })).id,
        ).toBe(post.id);
        const top = await s.as(st[1]!).feed.comment({ params: { itemId: post.id }, body: { content: 'top' } });
        for (let i = 0; i < 4; i++)
          await s.as(st[2]!).feed.comment({ params: { itemId: post.id }, body: { content: `r${i}`, parent_id: top.id } });
        const thread = await s.as(owner).feed.comments({ params: { itemId: post.id } });
        expect(thread.items[0]!.replies.map((r) => r.content)).toEqual(['r0', 'r1', 'r2']);
        await s.as(st[3]!).feed.react({ params: { itemId: post.id }, body: { emoji: '\u{1F389}' } });
        const topFeed = await s.as(owner).feed.communityFeed({ params: { id: c.slug }, query: { sort: 'top', period: 'all' } });
        expect(topFeed.items[0]).toMatchObject({
          id: post.id,
          content: 'Hi \u{1F600}',
          comment_count: 5,
          reactions: [{ emoji: '\u{1F389}', count: 1, me: false }],
        });
        // Chat: nonce replays, keyset history, unread and mention counts, reactions, DMs.
        const general = (await s.as(st[0]!).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!;
        const ids: number[] = [];
        for (let i = 0; i < 5; i++)
          ids.push(
            (await s.as(st[0]!).channels.post({ params: { channelId: general.id }, body: { content: `chat ${i} @[B](user:${st[1]})` } }))
              .id,
          );
        const once = { content: 'once \u{1F600}', nonce: `dialect-chat-${dialect}` };
        const m = await s.as(st[0]!).channels.post({ params: { channelId: general.id }, body: once });
        expect((await s.as(st[0]!).channels.post({ params: { channelId: general.id }, body: once })).id).toBe(m.id);
        const around = await s.as(st[1]!).channels.messages({ params: { channelId: general.id }, query: { around: ids[2], limit: 3 } });
        expect(around.items.map((x) => x.id)).toEqual([ids[1], ids[2], ids[3]]);
        const badge = (await s.as(st[1]!).channels.list({ params: { id: c.slug } })).items.find((x) => x.id === general.id)!;
        expect(badge).toMatchObject({ unread_count: 6, mention_count: 5 });
        expect((await s.as(st[1]!).channels.read({ params: { channelId: general.id }, body: { message_id: m.id } })).unread_count).toBe(0);
        expect((await s.as(st[1]!).channels.react({ params: { messageId: m.id }, body: { emoji: '\u{1F44D}' } })).reactions).toEqual([
          { emoji: '\u{1F44D}', count: 1, me: true },
        ]);
        // Changes catch-up: a derived table with its own order and limit, on every dialect.
        const since = new Date(Date.now() - 60_000).toISOString();
        const changed = await s
          .as(st[1]!)
          .channels.changes({ params: { channelId: general.id }, query: { since, from_id: ids[0]!, to_id: m.id } });
        expect(changed.items.map((x) => x.id).sort((a, b) => a - b)).toEqual([...ids, m.id]);
        expect(changed.items.find((x) => x.id === m.id)!.reactions).toEqual([{ emoji: '\u{1F44D}', count: 1, me: true }]);
        const t = await s.as(st[0]!).dm.start({ body: { user_ids: [st[1]!] } });
        expect((await s.as(st[1]!).dm.start({ body: { user_ids: [st[0]!] } })).id).toBe(t.id);
        await s.as(st[0]!).dm.post({ params: { threadId: t.id }, body: { content: 'psst' } });
        expect(await s.as(st[1]!).dm.unread()).toEqual({ threads: 1, messages: 1 });
        expect((await s.as(st[1]!).dm.inbox()).items[0]).toMatchObject({ id: t.id, unread_count: 1, last_message: { excerpt: 'psst' } });

        await expectStatus(s.as(st[0]!).communities.create({ body: { name: 'nope' } }), 403);
        const r = await s.ctx.hostSync.runOnce();
        expect(r.enrolments).toBeGreaterThan(0);
      } finally {
        await s.close();
        await db.drop().catch(() => undefined);
      }
    });
  });
}
