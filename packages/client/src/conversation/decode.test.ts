import { REALTIME_EVENTS } from '@communities/contract';
import { describe, expect, it } from 'vitest';

import { decodeRealtime, decodeTyping } from './decode';
import { msg, pushed } from './test-support';

describe('decodeRealtime', () => {
  it('passes a payload that carries what its event promises', () => {
    // A pushed message comes in the viewer's form: rights closed until the machine grants the viewer's own.
    expect(
      decodeRealtime(
        REALTIME_EVENTS.messageCreated,
        pushed(msg(1, { viewer_can: { edit: true, delete: true, pin: true, react: true, mark_helpful: false } })),
      ),
    ).toEqual(msg(1));
    expect(decodeRealtime(REALTIME_EVENTS.messageDeleted, { id: 4, channel_id: 1 })).toEqual({ id: 4, channel_id: 1 });
    const reaction = { message_id: 1, channel_id: 1, user_id: 2, emoji: '👍', reacted: true, counts: [] };
    expect(decodeRealtime(REALTIME_EVENTS.reactionChanged, reaction)).toEqual(reaction);
    expect(decodeRealtime(REALTIME_EVENTS.messagePinned, { id: 1, channel_id: 1, is_pinned: false })).not.toBeNull();
  });

  it('drops malformed payloads instead of handing them on', () => {
    expect(decodeRealtime(REALTIME_EVENTS.messageCreated, { id: 1 })).toBeNull();
    expect(decodeRealtime(REALTIME_EVENTS.messageCreated, null)).toBeNull();
    expect(decodeRealtime(REALTIME_EVENTS.messageCreated, [msg(1)])).toBeNull();
    expect(decodeRealtime(REALTIME_EVENTS.messageDeleted, { id: '4' })).toBeNull();
    expect(decodeRealtime(REALTIME_EVENTS.reactionChanged, { message_id: 1, user_id: 2, emoji: '👍', counts: [] })).toBeNull();
    expect(decodeRealtime(REALTIME_EVENTS.messagePinned, { id: 1, is_pinned: 'yes' })).toBeNull();
    expect(decodeRealtime(REALTIME_EVENTS.uploadScanned, { id: 1 })).toBeNull();
    expect(decodeRealtime('nope' as never, { id: 1 })).toBeNull();
  });
});

describe('decodeTyping', () => {
  it('keeps who and a name cut to 80 characters, and drops anything else', () => {
    expect(decodeTyping({ user_id: 3, name: 'x'.repeat(100), extra: true })).toEqual({ user_id: 3, name: 'x'.repeat(80) });
    expect(decodeTyping({ user_id: '3', name: 'Ana' })).toBeNull();
    expect(decodeTyping({ user_id: 3 })).toBeNull();
  });
});
