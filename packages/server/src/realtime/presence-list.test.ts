import { describe, expect, it } from 'vitest';

import { compareIds, onJoin, onLeave, smallestIds } from './presence-list';

/** A small deterministic generator, so a failure replays. */
function rng(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return (x >>> 8) % n;
  };
}

describe('big presence channels: the capped list', () => {
  it('orders numeric ids by value, before other ids', () => {
    expect(['10', 'b', '9', '100', 'a', '2'].sort(compareIds)).toEqual(['2', '9', '10', '100', 'a', 'b']);
    expect(smallestIds(['10', 'b', '9', '100', 'a', '2'], 3)).toEqual(['2', '9', '10']);
    expect(smallestIds(['3', '1'], 5)).toEqual(['1', '3']);
    expect(smallestIds(['3', '1'], 0)).toEqual([]);
  });

  it('up to the limit every join and leave is announced, as Pusher does', () => {
    expect(onJoin(['1', '2', '3'], 3, '3', 3)).toEqual({ added: ['3'], removed: [], big: false });
    expect(onLeave(['1', '2'], 2, '3', 3)).toEqual({ added: [], removed: ['3'], big: false });
  });

  it('past it, a client applying only the frames it is sent always holds the smallest ids, and storms send few frames', () => {
    const limit = 20;
    const next = rng(42);
    const here = new Set<string>();
    // What every socket on the channel holds: the list it was given, moved by the frames.
    const view = new Set<string>();
    let frames = 0;
    let changes = 0;
    for (let step = 0; step < 3000; step++) {
      const id = String(next(400));
      const leaving = here.has(id);
      if (leaving) here.delete(id);
      else here.add(id);
      const change = leaving ? onLeave(here, here.size, id, limit) : onJoin(here, here.size, id, limit);
      changes++;
      for (const r of change.removed) expect(view.delete(r)).toBe(true);
      for (const a of change.added) {
        expect(view.has(a)).toBe(false);
        view.add(a);
      }
      frames += change.added.length + change.removed.length;
      // Big: over the limit after a join, or before a leave.
      expect(change.big).toBe((leaving ? here.size + 1 : here.size) > limit);
      expect([...view].sort(compareIds)).toEqual(smallestIds(here, limit));
    }
    expect(here.size).toBeGreaterThan(limit * 5);
    // About 200 of 400 ids are here: a join or leave changes the 20 listed about one time in ten.
    expect(frames).toBeLessThan(changes);
  });

  it('a join storm into a room over the limit sends no member frame unless a newcomer sorts among the listed', () => {
    const room = new Set(Array.from({ length: 1000 }, (_, i) => String(1000 + i)));
    let frames = 0;
    for (let i = 0; i < 500; i++) {
      const id = String(5000 + i);
      room.add(id);
      const c = onJoin(room, room.size, id, 100);
      frames += c.added.length + c.removed.length;
      expect(c.big).toBe(true);
    }
    expect(frames).toBe(0);
    room.add('7');
    expect(onJoin(room, room.size, '7', 100)).toEqual({ added: ['7'], removed: ['1099'], big: true });
    room.delete('1000');
    expect(onLeave(room, room.size, '1000', 100)).toEqual({ added: ['1099'], removed: ['1000'], big: true });
    room.delete('5000');
    expect(onLeave(room, room.size, '5000', 100)).toEqual({ added: [], removed: [], big: true });
  });
});
