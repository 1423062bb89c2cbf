import type { Channel } from '@communities/contract';

/** Uncategorised channels (category null) first, then each category with its channels. */
export interface ChannelGroup {
  category: Channel | null;
  channels: Channel[];
}

/** One row of `channels.reorder`. */
export interface OrderItem {
  id: number;
  parent_id: number | null;
  position: number;
}

/** Where a channel lands: the category (null: none) and its index there, the moved channel not counted. */
export interface ChannelDrop {
  parent: number | null;
  index: number;
}

export interface Reordered {
  groups: ChannelGroup[];
  /** Only the rows whose category or position may have changed: what the server is sent. */
  items: OrderItem[];
}

const isCategory = (c: Channel) => c.type === 'category';

/** The server's list (already in order) as groups, the way the sidebar shows it. */
export function groupChannels(items: Channel[]): ChannelGroup[] {
  const categories = items.filter(isCategory);
  const ids = new Set(categories.map((c) => c.id));
  const loose = items.filter((c) => !isCategory(c) && (c.parent_id === null || !ids.has(c.parent_id)));
  return [
    { category: null, channels: loose },
    ...categories.map((category) => ({ category, channels: items.filter((c) => !isCategory(c) && c.parent_id === category.id) })),
  ];
}

/** Groups back to one list, with parent_id and position as the server will store them. */
export function flattenGroups(groups: ChannelGroup[]): Channel[] {
  const out: Channel[] = [];
  let categoryPosition = 0;
  for (const g of groups) {
    if (g.category) out.push({ ...g.category, position: categoryPosition++ });
    const parent_id = g.category?.id ?? null;
    g.channels.forEach((c, position) => out.push({ ...c, parent_id, position }));
  }
  return out;
}

const rows = (g: ChannelGroup): OrderItem[] => g.channels.map((c, position) => ({ id: c.id, parent_id: g.category?.id ?? null, position }));

/** Moves channel `id` to `to`; null when it would not change anything. */
export function moveChannel(groups: ChannelGroup[], id: number, to: ChannelDrop): Reordered | null {
  const from = groups.findIndex((g) => g.channels.some((c) => c.id === id));
  const target = groups.findIndex((g) => (g.category?.id ?? null) === to.parent);
  if (from < 0 || target < 0) return null;
  const channel = groups[from]!.channels.find((c) => c.id === id)!;
  const oldIndex = groups[from]!.channels.indexOf(channel);
  const without = groups.map((g, i) => (i === from ? { ...g, channels: g.channels.filter((c) => c.id !== id) } : g));
  const index = Math.max(0, Math.min(to.index, without[target]!.channels.length));
  if (from === target && index === oldIndex) return null;
  const next = without.map((g, i) =>
    i === target ? { ...g, channels: [...g.channels.slice(0, index), channel, ...g.channels.slice(index)] } : g,
  );
  const items = from === target ? rows(next[target]!) : [...rows(next[from]!), ...rows(next[target]!)];
  return { groups: next, items };
}

/** Moves category `id` to `index` among the categories (itself not counted); its channels go with it. */
export function moveCategory(groups: ChannelGroup[], id: number, index: number): Reordered | null {
  const [loose, ...categories] = groups;
  const from = categories.findIndex((g) => g.category?.id === id);
  if (!loose || from < 0) return null;
  const moved = categories[from]!;
  const rest = categories.filter((_, i) => i !== from);
  const at = Math.max(0, Math.min(index, rest.length));
  if (at === from) return null;
  const ordered = [...rest.slice(0, at), moved, ...rest.slice(at)];
  return {
    groups: [loose, ...ordered],
    items: ordered.map((g, position) => ({ id: g.category!.id, parent_id: null, position })),
  };
}

/**
 * One step up or down for the keyboard: within the channel's category, and past its edge into
 * the neighbouring one (the end of the one above, the start of the one below).
 */
export function stepChannel(groups: ChannelGroup[], id: number, by: -1 | 1): ChannelDrop | null {
  const g = groups.findIndex((x) => x.channels.some((c) => c.id === id));
  if (g < 0) return null;
  const i = groups[g]!.channels.findIndex((c) => c.id === id);
  const j = i + by;
  const parent = (k: number) => groups[k]!.category?.id ?? null;
  if (j >= 0 && j < groups[g]!.channels.length) return { parent: parent(g), index: j };
  const k = g + by;
  if (k < 0 || k >= groups.length) return null;
  return { parent: parent(k), index: by < 0 ? groups[k]!.channels.length : 0 };
}

/** A row of the management list as laid out on screen: a category header (id null: "No category") or a channel. */
export interface RowBox {
  kind: 'group' | 'channel';
  id: number | null;
  top: number;
  bottom: number;
}

/** Where a drop would go, and which row shows the marker (`key` as in rowKey). */
export type DropTarget =
  | { type: 'channel'; drop: ChannelDrop; key: string; where: 'before' | 'after' | 'into' }
  | { type: 'category'; index: number; key: string; where: 'before' | 'after' };

export const rowKey = (r: Pick<RowBox, 'kind' | 'id'>): string => `${r.kind}:${r.id ?? 'none'}`;

/**
 * The drop for a channel dragged to height `y`: over a channel, before or after it (by which
 * half); over a category header, first in that category.
 */
export function channelDropAt(groups: ChannelGroup[], rows: RowBox[], dragged: number, y: number): DropTarget | null {
  const candidates = rows.filter((r) => !(r.kind === 'channel' && r.id === dragged));
  const r = candidates.find((x) => y < x.bottom) ?? candidates.at(-1);
  if (!r) return null;
  if (r.kind === 'group') return { type: 'channel', drop: { parent: r.id, index: 0 }, key: rowKey(r), where: 'into' };
  const g = groups.find((x) => x.channels.some((c) => c.id === r.id));
  if (!g) return null;
  const siblings = g.channels.filter((c) => c.id !== dragged);
  const after = y > (r.top + r.bottom) / 2;
  const index = siblings.findIndex((c) => c.id === r.id) + (after ? 1 : 0);
  return { type: 'channel', drop: { parent: g.category?.id ?? null, index }, key: rowKey(r), where: after ? 'after' : 'before' };
}

/** The drop for a category dragged to height `y`: before or after the category block under it. */
export function categoryDropAt(groups: ChannelGroup[], rows: RowBox[], dragged: number, y: number): DropTarget | null {
  const byKey = new Map(rows.map((r) => [rowKey(r), r]));
  const blocks = groups
    .filter((g) => g.category && g.category.id !== dragged)
    .map((g) => {
      const head = byKey.get(rowKey({ kind: 'group', id: g.category!.id }));
      const last = g.channels.length ? byKey.get(rowKey({ kind: 'channel', id: g.channels.at(-1)!.id })) : head;
      return head && last ? { head, last, top: head.top, bottom: last.bottom } : null;
    })
    .filter((b) => b !== null);
  if (blocks.length === 0) return null;
  const k = blocks.findIndex((b) => y < b.bottom);
  const i = k < 0 ? blocks.length - 1 : k;
  const b = blocks[i]!;
  if (y < (b.top + b.bottom) / 2) return { type: 'category', index: i, key: rowKey(b.head), where: 'before' };
  return { type: 'category', index: i + 1, key: rowKey(b.last), where: 'after' };
}
