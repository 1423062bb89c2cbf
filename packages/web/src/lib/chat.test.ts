import { describe, expect, it } from 'vitest';

import { groupMessages, insertMention, mentionQuery } from './chat';

const m = (id: number, author: number, minute: number, over: object = {}) => ({
  id,
  author: { id: author },
  created_at: new Date(2025, 0, 1, 10, minute).toISOString(),
  reply_to: null,
  deleted: false,
  ...over,
});

describe('chat helpers', () => {
  it('groups consecutive messages of one author within minutes, breaking on days and replies', () => {
    const rows = groupMessages([
      m(1, 1, 0),
      m(2, 1, 2),
      m(3, 2, 3),
      m(4, 2, 30),
      m(5, 2, 31, { reply_to: { id: 1 } }),
      { ...m(6, 2, 0), created_at: new Date(2025, 0, 2, 9, 0).toISOString() },
    ]);
    expect(rows.map((r) => r.grouped)).toEqual([false, true, false, false, false, false]);
    expect(rows.map((r) => r.dayBreak)).toEqual(['2025-01-01', null, null, null, null, '2025-01-02']);
  });

  it('finds the @mention being typed and replaces it with the markup', () => {
    expect(mentionQuery('hi @an', 6)).toEqual({ start: 3, query: 'an' });
    expect(mentionQuery('hi @Ana Si', 10)).toEqual({ start: 3, query: 'Ana Si' });
    expect(mentionQuery('mail a@b', 8)).toBeNull();
    expect(mentionQuery('hi @ana, you', 12)).toBeNull();
    expect(insertMention('hi @an!', 3, 6, { kind: 'user', id: 12, name: 'Ana [x]' })).toEqual({
      text: 'hi @[Ana x](user:12) !',
      caret: 21,
    });
    expect(insertMention('@ev', 0, 3, { kind: 'everyone' }).text).toBe('@everyone ');
  });
});
