import { describe, expect, it } from 'vitest';

import { createBadgeCounter, type BadgeState } from './badges';

const listed: BadgeState = { unread_count: 0, mention_count: 0, last_message_id: 10, last_read_message_id: 10 };

describe('createBadgeCounter', () => {
  it('counts a plain new message as unread only', () => {
    expect(createBadgeCounter()(listed, { message_id: 11, mention: false })).toEqual({ unread_count: 1, mention_count: 0 });
  });

  it('counts a message once when both channel.activity and mention.created tell of it, in either order', () => {
    const count = createBadgeCounter();
    let c = { ...listed, ...count(listed, { message_id: 11, mention: false }) };
    c = { ...c, ...count(c, { message_id: 11, mention: true }) };
    expect(c).toMatchObject({ unread_count: 1, mention_count: 1 });

    const other = createBadgeCounter();
    let d = { ...listed, ...other(listed, { message_id: 12, mention: true }) };
    expect(other(d, { message_id: 12, mention: false })).toBeNull();
    // @everyone in channel.activity and a mention by name are still one mention.
    expect(other(d, { message_id: 12, mention: true })).toBeNull();
    d = { ...d, ...other(d, { message_id: 13, mention: false }) };
    expect(d).toMatchObject({ unread_count: 2, mention_count: 1 });
  });

  it('leaves alone what the server counted already or the reader has read', () => {
    const count = createBadgeCounter();
    expect(count(listed, { message_id: 10, mention: true })).toBeNull();
    expect(count({ ...listed, last_message_id: 5, last_read_message_id: 20 }, { message_id: 15, mention: false })).toBeNull();
  });

  it('caps unread counts at 100 and still counts mentions past it', () => {
    expect(createBadgeCounter()({ ...listed, unread_count: 100 }, { message_id: 11, mention: true })).toEqual({
      unread_count: 100,
      mention_count: 1,
    });
  });

  it('remembers a bounded number of messages', () => {
    const count = createBadgeCounter(2);
    for (const id of [11, 12, 13]) count(listed, { message_id: id, mention: false });
    expect(count(listed, { message_id: 11, mention: false })).not.toBeNull();
    expect(count(listed, { message_id: 13, mention: false })).toBeNull();
  });
});
