import type { Channel } from '@communities/contract';
import { describe, expect, it } from 'vitest';

import { categoryDropAt, channelDropAt, flattenGroups, groupChannels, moveCategory, moveChannel, stepChannel } from './channel-order';

const ch = (id: number, parent_id: number | null, type: Channel['type'] = 'text') => ({ id, parent_id, type, name: `c${id}` }) as Channel;

// Loose: 1, 2. Category 10: 11, 12, 13. Category 20: 21. Category 30: empty.
const list = [
  ch(1, null),
  ch(2, null),
  ch(10, null, 'category'),
  ch(11, 10),
  ch(12, 10),
  ch(13, 10),
  ch(20, null, 'category'),
  ch(21, 20),
  ch(30, null, 'category'),
];
const ids = (groups: ReturnType<typeof groupChannels>) => groups.map((g) => [g.category?.id ?? null, g.channels.map((c) => c.id)]);

describe('channel order', () => {
  it('groups the server list the way the sidebar shows it and flattens it back with positions', () => {
    const groups = groupChannels(list);
    expect(ids(groups)).toEqual([
      [null, [1, 2]],
      [10, [11, 12, 13]],
      [20, [21]],
      [30, []],
    ]);
    expect(flattenGroups(groups).map((c) => [c.id, c.parent_id, c.position])).toEqual([
      [1, null, 0],
      [2, null, 1],
      [10, null, 0],
      [11, 10, 0],
      [12, 10, 1],
      [13, 10, 2],
      [20, null, 1],
      [21, 20, 0],
      [30, null, 2],
    ]);
  });

  it('moves a channel within its category and sends only that category', () => {
    const r = moveChannel(groupChannels(list), 13, { parent: 10, index: 0 })!;
    expect(ids(r.groups)[1]).toEqual([10, [13, 11, 12]]);
    expect(r.items).toEqual([
      { id: 13, parent_id: 10, position: 0 },
      { id: 11, parent_id: 10, position: 1 },
      { id: 12, parent_id: 10, position: 2 },
    ]);
    expect(moveChannel(groupChannels(list), 12, { parent: 10, index: 1 })).toBeNull();
  });

  it('moves a channel to another category, an empty one, or out of any, renumbering both sides', () => {
    const r = moveChannel(groupChannels(list), 11, { parent: 20, index: 1 })!;
    expect(ids(r.groups).slice(1, 3)).toEqual([
      [10, [12, 13]],
      [20, [21, 11]],
    ]);
    expect(r.items).toEqual([
      { id: 12, parent_id: 10, position: 0 },
      { id: 13, parent_id: 10, position: 1 },
      { id: 21, parent_id: 20, position: 0 },
      { id: 11, parent_id: 20, position: 1 },
    ]);
    expect(ids(moveChannel(groupChannels(list), 21, { parent: 30, index: 5 })!.groups)[3]).toEqual([30, [21]]);
    expect(ids(moveChannel(groupChannels(list), 21, { parent: null, index: 0 })!.groups)[0]).toEqual([null, [21, 1, 2]]);
  });

  it('moves a category with its channels among the categories', () => {
    const r = moveCategory(groupChannels(list), 30, 0)!;
    expect(ids(r.groups).map(([c]) => c)).toEqual([null, 30, 10, 20]);
    expect(r.items).toEqual([
      { id: 30, parent_id: null, position: 0 },
      { id: 10, parent_id: null, position: 1 },
      { id: 20, parent_id: null, position: 2 },
    ]);
    expect(moveCategory(groupChannels(list), 10, 0)).toBeNull();
  });

  it('steps a channel up or down, across a category edge into the neighbouring one', () => {
    const groups = groupChannels(list);
    expect(stepChannel(groups, 12, -1)).toEqual({ parent: 10, index: 0 });
    expect(stepChannel(groups, 11, -1)).toEqual({ parent: null, index: 2 });
    expect(stepChannel(groups, 13, 1)).toEqual({ parent: 20, index: 0 });
    expect(stepChannel(groups, 21, 1)).toEqual({ parent: 30, index: 0 });
    expect(stepChannel(groups, 1, -1)).toBeNull();
  });
});

describe('drop targets', () => {
  // Rows 20 px high, in list order: "No category", 1, 2, [10], 11, 12, 13, [20], 21, [30].
  const groups = groupChannels(list);
  const layout = [
    ['group', null],
    ['channel', 1],
    ['channel', 2],
    ['group', 10],
    ['channel', 11],
    ['channel', 12],
    ['channel', 13],
    ['group', 20],
    ['channel', 21],
    ['group', 30],
  ] as const;
  const rows = layout.map(([kind, id], i) => ({ kind, id, top: i * 20, bottom: i * 20 + 20 }));

  it('puts a dragged channel before or after the channel under the pointer, or first in a category', () => {
    expect(channelDropAt(groups, rows, 11, 105)).toMatchObject({ drop: { parent: 10, index: 0 }, key: 'channel:12', where: 'before' });
    expect(channelDropAt(groups, rows, 11, 135)).toMatchObject({ drop: { parent: 10, index: 2 }, key: 'channel:13', where: 'after' });
    expect(channelDropAt(groups, rows, 11, 25)).toMatchObject({ drop: { parent: null, index: 0 }, key: 'channel:1', where: 'before' });
    expect(channelDropAt(groups, rows, 11, 190)).toMatchObject({ drop: { parent: 30, index: 0 }, key: 'group:30', where: 'into' });
    expect(channelDropAt(groups, rows, 11, 900)).toMatchObject({ drop: { parent: 30, index: 0 } });
  });

  it('puts a dragged category before or after the category block under the pointer', () => {
    expect(categoryDropAt(groups, rows, 30, 65)).toMatchObject({ index: 0, key: 'group:10', where: 'before' });
    expect(categoryDropAt(groups, rows, 10, 175)).toMatchObject({ index: 1, key: 'channel:21', where: 'after' });
    expect(categoryDropAt(groups, rows, 10, 5)).toMatchObject({ index: 0, key: 'group:20', where: 'before' });
  });
});
