import { ApiError } from '@communities/client';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// A plain stub of the one API call (not vi.fn: it would watch the rejected promise it returns).
let members: (req: unknown) => Promise<unknown>;
const calls: unknown[] = [];
vi.mock('../api', () => ({
  api: {
    communities: {
      members: (req: unknown) => {
        calls.push(req);
        return members(req);
      },
    },
  },
}));

const { communityMentions } = await import('./chat-api');

const user = (id: number) => ({ id, name: `U${id}`, avatar_url: null });

describe('communityMentions', () => {
  beforeEach(() => {
    calls.length = 0;
  });

  it('lists members matching the query, never the viewer', async () => {
    members = () => Promise.resolve({ items: [{ user: user(1) }, { user: user(2) }], next_cursor: null });
    expect((await communityMentions('c', 'u', 1)).map((u) => u.id)).toEqual([2]);
    expect(calls).toEqual([{ params: { id: 'c' }, query: { limit: 10, q: 'u' } }]);
  });

  it('a hidden member list lists nobody for a bare @ (and the picker keeps its other choices)', async () => {
    members = () => Promise.reject(new ApiError(403, 'forbidden', 'hidden', [], { reason: 'member_list_hidden' }));
    expect(await communityMentions('c', '', 1)).toEqual([]);
  });

  it('other failures still fail', async () => {
    members = () => Promise.reject(new ApiError(404, 'not_found', 'gone'));
    await expect(communityMentions('c', '', 1)).rejects.toBeInstanceOf(ApiError);
    members = () => Promise.reject(new ApiError(403, 'forbidden', 'no', [], { reason: 'not_member' }));
    await expect(communityMentions('c', '', 1)).rejects.toBeInstanceOf(ApiError);
  });
});
