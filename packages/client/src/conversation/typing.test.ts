import { describe, expect, it } from 'vitest';

import { manualTime } from './test-support';
import { TYPING_SEND_EVERY_MS, TYPING_SHOWN_MS, TypingTracker, activeTypers } from './typing';

const me = { id: 1, name: 'Me' };

function tracker() {
  const time = manualTime(10_000);
  const t = new TypingTracker({ me: () => me, now: time.now, timers: time.timers });
  const sent: unknown[] = [];
  return { t, time, sent, connect: () => t.connect((p) => (sent.push(p), true)) };
}

describe('activeTypers', () => {
  it('lists who typed in the last five seconds, oldest first, never ourselves', () => {
    const typers = new Map([
      [2, { name: 'Ana', at: 10_000 }],
      [3, { name: 'Ben', at: 8_000 }],
      [1, { name: 'Me', at: 10_500 }],
      [4, { name: 'Old', at: 4_000 }],
    ]);
    expect(activeTypers(typers, 11_000, 1)).toEqual(['Ben', 'Ana']);
    expect(activeTypers(typers, 13_500, 1)).toEqual(['Ana']);
  });
});

describe('TypingTracker', () => {
  it('shows others typing, oldest first, and lets each name fade after its last signal', () => {
    const { t, time } = tracker();
    const changes: string[][] = [];
    t.subscribe(() => changes.push(t.getSnapshot()));
    t.received({ user_id: 2, name: 'Ana' });
    time.advance(1000);
    t.received({ user_id: 3, name: 'Ben' });
    t.received({ user_id: 1, name: 'Me' });
    t.received({ user_id: 'x', name: 'Bad' });
    expect(t.getSnapshot()).toEqual(['Ana', 'Ben']);
    time.advance(TYPING_SHOWN_MS - 1000);
    expect(t.getSnapshot()).toEqual(['Ben']);
    // A new signal keeps a name up.
    t.received({ user_id: 3, name: 'Ben' });
    time.advance(TYPING_SHOWN_MS - 1);
    expect(t.getSnapshot()).toEqual(['Ben']);
    time.advance(1);
    expect(t.getSnapshot()).toEqual([]);
    expect(changes).toEqual([['Ana'], ['Ana', 'Ben'], ['Ben'], []]);
    expect(time.pending()).toBe(0);
  });

  it('drops a name at once when that person’s message arrives or they leave', () => {
    const { t } = tracker();
    t.received({ user_id: 2, name: 'Ana' });
    t.received({ user_id: 3, name: 'Ben' });
    t.stopped(2);
    expect(t.getSnapshot()).toEqual(['Ben']);
    t.stopped(3);
    expect(t.getSnapshot()).toEqual([]);
  });

  it('sends our own signal at most every few seconds, and only while connected', () => {
    const { t, time, sent, connect } = tracker();
    expect(t.typed()).toBe(false);
    connect();
    expect(t.typed()).toBe(true);
    expect(t.typed()).toBe(false);
    time.advance(TYPING_SEND_EVERY_MS - 1);
    expect(t.typed()).toBe(false);
    time.advance(1);
    expect(t.typed()).toBe(true);
    expect(sent).toEqual([
      { user_id: 1, name: 'Me' },
      { user_id: 1, name: 'Me' },
    ]);
    t.dispose();
    time.advance(TYPING_SEND_EVERY_MS);
    expect(t.typed()).toBe(false);
  });
});
