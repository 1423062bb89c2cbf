import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addMember, makeCommunity } from './support/factories';
import { startTestServer, type TestServer } from './support/server';

let s: TestServer;
let owner: number;
let st: number[];
let c: { id: number; slug: string };

beforeAll(async () => {
  s = await startTestServer();
  owner = s.demo.instructorIds[0]!;
  st = s.demo.studentIds;
  c = await makeCommunity(s, { name: 'Mention Town' });
  await addMember(s, c.id, st[0]!);
  await addMember(s, c.id, st[1]!);
});
afterAll(async () => s.close());

// Mentions are read from the same rich-text tree the apps render: what shows as code never pings.
describe('mentions follow the rendered Markdown', () => {
  it('ignores people and @everyone written inside inline code or code blocks', async () => {
    const ch = await s.as(owner).channels.create({ params: { id: c.slug }, body: { name: 'code-talk' } });
    const post = (user: number, content: string) => s.as(user).channels.post({ params: { channelId: ch.id }, body: { content } });
    const quoted = await post(owner, `try \`@[Sam](user:${st[1]})\`\n\n\`\`\`\n@everyone\n@[Sam](user:${st[1]})\n\`\`\``);
    expect(quoted.mentions).toEqual([]);
    expect(quoted.mention_everyone).toBe(false);
    const before = (await s.as(st[1]!).channels.list({ params: { id: c.slug } })).items.find((x) => x.id === ch.id)!;
    expect(before).toMatchObject({ unread_count: 1, mention_count: 0 });

    const real = await post(owner, `> **@[Sam](user:${st[1]})** see above`);
    expect(real.mentions).toEqual([st[1]]);
    const after = (await s.as(st[1]!).channels.list({ params: { id: c.slug } })).items.find((x) => x.id === ch.id)!;
    expect(after).toMatchObject({ unread_count: 2, mention_count: 1 });
  });

  it('stores a post’s mentions the same way', async () => {
    const item = await s.as(st[0]!).feed.post({
      params: { id: c.slug },
      body: { content: `hi @[Sam](user:${st[1]}) and \`@[Not](user:${owner})\``, nonce: 'nonce-mentions-0001' },
    });
    expect(item.mentions).toEqual([st[1]]);
  });
});
