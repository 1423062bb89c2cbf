import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { addMember, makeCommunity } from './support/factories';
import { createTestDatabase } from './support/databases';
import { startTestServer } from './support/server';

/**
 * The admin tools' writes on MariaDB and PostgreSQL, through HTTP: addon settings upserts seen
 * by a second instance on the same database, open-as-owner grants with their audit rows, join
 * requests with an intro, roles and channel overrides.
 */
for (const dialect of ['mysql', 'postgres'] as const) {
  describe(`admin tools on ${dialect}`, () => {
    it('settings reach a second instance; grants, requests, roles and overrides write', async () => {
      const db = await createTestDatabase(dialect);
      await db.db.destroy();
      const hostDb =
        dialect === 'postgres' ? { host: { database_url: `sqlite://${join(tmpdir(), `host-adm-${Date.now()}.sqlite`)}` } } : {};
      const a = await startTestServer({ database: { url: db.url, table_prefix: 'cm_' }, ...hostDb });
      const b = await startTestServer({
        database: { url: db.url, table_prefix: 'cm_' },
        admin_settings: { reload_seconds: 1 },
        ...hostDb,
      });
      try {
        const admin = a.demo.adminId;
        // Twice: the second save updates the row (upsert on each dialect).
        await a.as(admin).admin.updateSettings({ body: { values: { 'chat.max_message_length': 1234 } } });
        await a.as(admin).admin.updateSettings({ body: { values: { 'chat.max_message_length': 777 } } });
        let seen = 0;
        for (let i = 0; i < 50 && seen !== 777; i++) {
          seen = (await b.as(null).system.features()).limits.max_message_length;
          if (seen !== 777) await new Promise((r) => setTimeout(r, 100));
        }
        expect(seen).toBe(777);

        const teacher = a.demo.instructorIds[0]!;
        const student = a.demo.studentIds[0]!;
        const c = await makeCommunity(a, { ownerId: teacher, visibility: 'private', name: 'Dialect Admin' });
        await a.as(student).communities.join({ params: { id: c.slug }, body: { intro: 'Hello 👋' } });
        expect((await a.as(teacher).communities.requests({ params: { id: c.slug } })).items[0]!.request_intro).toBe('Hello 👋');
        await a.as(teacher).communities.decideRequest({ params: { id: c.slug, userId: student, decision: 'approve' }, body: {} });

        const role = await a
          .as(teacher)
          .communities.createRole({ params: { id: c.slug }, body: { name: 'Helper', permissions: ['view'] } });
        const roles = await a.as(teacher).communities.roles({ params: { id: c.slug } });
        const middle = roles.items.filter((r) => r.slug !== 'owner' && r.slug !== 'guest').map((r) => r.id);
        const reordered = await a.as(teacher).communities.reorderRoles({
          params: { id: c.slug },
          body: { role_ids: [role.id, ...middle.filter((id) => id !== role.id)] },
        });
        expect(reordered.items[1]!.id).toBe(role.id);

        const general = (await a.as(teacher).channels.list({ params: { id: c.slug } })).items.find((x) => x.slug === 'general')!;
        await a
          .as(teacher)
          .channels.setOverride({ params: { channelId: general.id }, body: { role_slug: 'member', deny: ['send_messages'] } });
        const post = await a
          .as(student)
          .channels.post({ params: { channelId: general.id }, body: { content: 'hi' } })
          .catch((e: unknown) => e);
        expect((post as { status?: number }).status).toBe(403);

        const grant = await a.as(admin).admin.actAsOwner({ params: { id: c.id }, body: { reason: 'dialect check' } });
        await a.as(admin).communities.update({ params: { id: c.slug }, body: { description: 'support edit' } });
        const log = await a.as(admin).admin.audit({ query: { community_id: c.id } });
        expect(log.items.find((i) => i.action === 'PATCH /api/communities/:id')).toMatchObject({
          on_behalf_of: { id: teacher },
          detail: { grant_id: grant.id },
        });
        await addMember(a, c.id, a.demo.studentIds[1]!);
        const list = await a.as(admin).admin.communities({ query: { q: 'dialect admin', sort: 'activity' } });
        expect(list.items.map((i) => i.id)).toEqual([c.id]);
      } finally {
        await b.close();
        await a.close();
      }
    });
  });
}
