import { describe, expect, it } from 'vitest';

import { REALTIME_EVENTS, realtimeChannel } from './realtime';
import {
  checkRealtimeEvent,
  parseRealtimeEvent,
  REALTIME_EVENT_DEFS,
  REALTIME_EVENT_DOCS,
  REALTIME_EVENT_SCHEMAS,
} from './realtime-events';

const message = {
  id: 7,
  author: { id: 3, name: 'Ana', avatar_url: null },
  content: 'hi',
  deleted: false,
  reply_to: null,
  mentions: [],
  attachments: [],
  reactions: [{ emoji: '🎉', count: 2 }],
  created_at: '2026-01-01T00:00:00.000Z',
  edited_at: null,
};
const channelMessage = { ...message, channel_id: 4, mention_everyone: false, mention_roles: [], is_pinned: false, helpful: false };

describe('the realtime event registry', () => {
  it('has a schema and docs for every event name, and nothing else', () => {
    const names = Object.values(REALTIME_EVENTS).sort();
    expect(Object.keys(REALTIME_EVENT_SCHEMAS).sort()).toEqual(names);
    expect(Object.keys(REALTIME_EVENT_DOCS).sort()).toEqual(names);
    for (const name of names) {
      const d = REALTIME_EVENT_DEFS[name];
      expect(d.on.length, name).toBeGreaterThan(0);
      expect(d.when.length, name).toBeGreaterThan(10);
      expect(d.to.length, name).toBeGreaterThan(5);
    }
  });

  it('uses one message schema for created and updated', () => {
    expect(REALTIME_EVENT_SCHEMAS[REALTIME_EVENTS.messageCreated]).toBe(REALTIME_EVENT_SCHEMAS[REALTIME_EVENTS.messageUpdated]);
  });
});

describe('parseRealtimeEvent', () => {
  it('returns typed data for valid payloads, channel and DM alike', () => {
    const r = parseRealtimeEvent(REALTIME_EVENTS.messageCreated, channelMessage);
    expect(r).toMatchObject({ ok: true, data: { id: 7, channel_id: 4 } });
    const dm = parseRealtimeEvent(REALTIME_EVENTS.messageUpdated, { ...message, thread_id: 9 });
    expect(dm).toMatchObject({ ok: true, data: { thread_id: 9 } });
  });

  it('drops fields it does not know, so older clients read newer payloads', () => {
    const r = parseRealtimeEvent(REALTIME_EVENTS.memberJoined, { user_id: 5, since: 'later' });
    expect(r).toEqual({ ok: true, name: REALTIME_EVENTS.memberJoined, data: { user_id: 5 } });
  });

  it('reports a wrong payload or an unknown name instead of throwing', () => {
    const bad = parseRealtimeEvent(REALTIME_EVENTS.channelActivity, { channel_id: '4', message_id: 1, author_id: 2, everyone: false });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toContain('channel_id');
    expect(parseRealtimeEvent('nope.nothing', {})).toMatchObject({ ok: false, error: expect.stringContaining('unknown') as string });
    expect(parseRealtimeEvent(REALTIME_EVENTS.messageDeleted, null).ok).toBe(false);
    expect(parseRealtimeEvent(REALTIME_EVENTS.dmThreadUpdated, { thread_id: 1, reason: 'message' }).ok).toBe(false);
  });
});

describe('checkRealtimeEvent (what publishers must send)', () => {
  it('refuses per-viewer fields in the shared message', () => {
    const leak = { ...channelMessage, viewer_can: { edit: false, delete: false, pin: false, react: true }, nonce: null };
    const r = checkRealtimeEvent(REALTIME_EVENTS.messageCreated, leak);
    expect(r).toMatchObject({ ok: false, error: expect.stringContaining('viewer_can') as string });
    expect(!r.ok && r.error).toContain('nonce');
    // `me` inside a reaction is the viewer's own too.
    const me = { ...channelMessage, reactions: [{ emoji: '🎉', count: 1, me: true }] };
    expect(checkRealtimeEvent(REALTIME_EVENTS.messageCreated, me)).toMatchObject({
      ok: false,
      error: expect.stringContaining('reactions[0].me') as string,
    });
    expect(checkRealtimeEvent(REALTIME_EVENTS.messageCreated, channelMessage).ok).toBe(true);
  });

  it('ignores undefined fields, which never reach the wire', () => {
    expect(checkRealtimeEvent(REALTIME_EVENTS.memberLeft, { user_id: 1, extra: undefined }).ok).toBe(true);
  });

  it('checks the kind of every channel an event goes to', () => {
    const prefix = 'x_';
    const on = (...names: string[]) => ({ names, prefix });
    const joined = { user_id: 1 };
    expect(checkRealtimeEvent(REALTIME_EVENTS.memberJoined, joined, on(realtimeChannel.community(prefix, 2))).ok).toBe(true);
    expect(
      checkRealtimeEvent(REALTIME_EVENTS.memberJoined, joined, on(realtimeChannel.community(prefix, 2), realtimeChannel.user(prefix, 2))),
    ).toMatchObject({
      ok: false,
      error: expect.stringContaining('community') as string,
    });
    const typing = { user_id: 1, name: 'Ana' };
    expect(checkRealtimeEvent(REALTIME_EVENTS.clientTyping, typing, on(realtimeChannel.dmPresence(prefix, 3))).ok).toBe(true);
    expect(checkRealtimeEvent(REALTIME_EVENTS.clientTyping, typing, on(realtimeChannel.dm(prefix, 3))).ok).toBe(false);
  });
});
