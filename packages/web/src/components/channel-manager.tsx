import type { Channel } from '@communities/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { api } from '../api';
import {
  categoryDropAt,
  channelDropAt,
  flattenGroups,
  groupChannels,
  moveCategory,
  moveChannel,
  rowKey,
  stepChannel,
  type DropTarget,
  type Reordered,
  type RowBox,
} from '../lib/channel-order';
import { channelKeys, useChannelsQuery } from '../state/queries/channels';

import { ChannelFieldsForm } from './community-admin';
import { errorText } from './error-note';
import { GripIcon } from './icons';

type List = { items: Channel[] };

interface Drag {
  id: number;
  kind: 'channel' | 'category';
  label: string;
  x: number;
  y: number;
  target: DropTarget | null;
}

/**
 * Categories and channels: add, rename, delete, and move by dragging the grip (pointer events,
 * so mouse, pen and touch alike) or with the up/down buttons. Moves show at once and roll back
 * if the server refuses them.
 */
export function ChannelManager({ slug }: { slug: string }) {
  const { t, i18n } = useTranslation();
  // "5s" / "٥ ث": a duration in the reader's language.
  const seconds = (n: number) => new Intl.NumberFormat(i18n.language, { style: 'unit', unit: 'second', unitDisplay: 'narrow' }).format(n);
  const qc = useQueryClient();
  const key = channelKeys.list(slug);
  const list = useChannelsQuery(slug);
  const [name, setName] = useState('');
  const [type, setType] = useState<'text' | 'announcement' | 'category'>('text');
  const [parent, setParent] = useState<string>('');
  const [announce, setAnnounce] = useState('');
  const [drag, setDrag] = useState<Drag | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const refocus = useRef<string | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: key });
  const create = useMutation({
    mutationFn: () =>
      api.channels.create({
        params: { id: slug },
        body: { name, type, ...(type !== 'category' && parent ? { parent_id: Number(parent) } : {}) },
      }),
    onSuccess: () => {
      setName('');
      refresh();
    },
  });
  const rename = useMutation({
    mutationFn: (v: { id: number; name: string }) => api.channels.update({ params: { channelId: v.id }, body: { name: v.name } }),
    onSuccess: refresh,
  });
  const remove = useMutation({ mutationFn: (id: number) => api.channels.remove({ params: { channelId: id } }), onSuccess: refresh });
  const reorder = useMutation({
    mutationKey: ['reorder', slug],
    mutationFn: (r: Reordered & { announce: string }) => api.channels.reorder({ params: { id: slug }, body: { items: r.items } }),
    onMutate: async (r) => {
      await qc.cancelQueries({ queryKey: key });
      const before = qc.getQueryData<List>(key);
      qc.setQueryData<List>(key, { items: flattenGroups(r.groups) });
      setAnnounce(r.announce);
      return { before };
    },
    onError: (_e, _r, ctx) => {
      if (ctx?.before) qc.setQueryData(key, ctx.before);
      setAnnounce('');
    },
    onSuccess: (data) => {
      // A later move still on its way would be undone by this answer: its own answer settles the list.
      if (qc.isMutating({ mutationKey: ['reorder', slug] }) <= 1) qc.setQueryData(key, data);
    },
  });

  const items = list.data?.items ?? [];
  const groups = groupChannels(items);
  const categories = items.filter((c) => c.type === 'category');
  const label = (ch: Channel) => (ch.type === 'category' ? ch.name.toUpperCase() : `${ch.type === 'announcement' ? '📣' : '#'} ${ch.name}`);
  const groupName = (id: number | null) => categories.find((c) => c.id === id)?.name ?? t('settings.no_category');

  const apply = (r: Reordered | null, moved: Channel) => {
    if (!r) return;
    const to = r.groups.find((g) => g.category?.id === moved.id || g.channels.some((c) => c.id === moved.id));
    const where = moved.type === 'category' ? '' : groupName(to?.category?.id ?? null);
    reorder.mutate({
      ...r,
      announce: t(moved.type === 'category' ? 'settings.moved_category' : 'settings.moved', { name: moved.name, where }),
    });
  };

  /** The up/down buttons: a channel steps across category edges too, so the keyboard can do what a drag does. */
  const step = (ch: Channel, by: -1 | 1) => {
    refocus.current = `${ch.id}:${by}`;
    if (ch.type === 'category') {
      const i = groups.findIndex((g) => g.category?.id === ch.id) - 1;
      apply(moveCategory(groups, ch.id, i + by), ch);
    } else {
      const to = stepChannel(groups, ch.id, by);
      apply(to && moveChannel(groups, ch.id, to), ch);
    }
  };
  // Moving a row can take the focus with it: give it back to the button that was pressed.
  useEffect(() => {
    if (!refocus.current) return;
    const [id, by] = refocus.current.split(':');
    refocus.current = null;
    listRef.current?.querySelector<HTMLElement>(`[data-move="${id}:${by}"]`)?.focus();
  }, [list.data]);

  const boxes = (): RowBox[] =>
    [...(listRef.current?.querySelectorAll<HTMLElement>('[data-row]') ?? [])].map((el) => {
      const r = el.getBoundingClientRect();
      const id = el.dataset.id ? Number(el.dataset.id) : null;
      return { kind: el.dataset.row as RowBox['kind'], id, top: r.top, bottom: r.bottom };
    });

  const startDrag = (e: ReactPointerEvent<HTMLElement>, ch: Channel) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    const kind = ch.type === 'category' ? 'category' : 'channel';
    setDrag({ id: ch.id, kind, label: label(ch), x: e.clientX, y: e.clientY, target: null });
  };
  const moveDrag = (e: ReactPointerEvent<HTMLElement>) => {
    if (!drag) return;
    // Near the window's edges the page scrolls, so a long list can be crossed in one drag.
    if (e.clientY < 48) window.scrollBy(0, -12);
    else if (e.clientY > window.innerHeight - 48) window.scrollBy(0, 12);
    const find = drag.kind === 'category' ? categoryDropAt : channelDropAt;
    setDrag({ ...drag, x: e.clientX, y: e.clientY, target: find(groups, boxes(), drag.id, e.clientY) });
  };
  const endDrag = (commit: boolean) => {
    const d = drag;
    setDrag(null);
    const moved = d && items.find((c) => c.id === d.id);
    if (!commit || !d?.target || !moved) return;
    apply(d.target.type === 'category' ? moveCategory(groups, d.id, d.target.index) : moveChannel(groups, d.id, d.target.drop), moved);
  };
  useEffect(() => {
    if (!drag) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setDrag(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [drag]);

  const marker = (k: string) => (drag?.target?.key === k ? ` cm-drop-${drag.target.where}` : '');
  const handle = (ch: Channel) => (
    <span
      className="cm-drag-handle"
      title={t('settings.drag', { name: ch.name })}
      aria-hidden="true"
      data-testid={`drag-${ch.id}`}
      onPointerDown={(e) => startDrag(e, ch)}
      onPointerMove={moveDrag}
      onPointerUp={() => endDrag(true)}
      onPointerCancel={() => endDrag(false)}
    >
      <GripIcon />
    </span>
  );
  const actions = (ch: Channel) => (
    <span className="cm-channel-admin__actions">
      <button
        type="button"
        className="cm-icon-button"
        aria-label={t('settings.move_up', { name: ch.name })}
        data-move={`${ch.id}:-1`}
        onClick={() => step(ch, -1)}
      >
        ↑
      </button>
      <button
        type="button"
        className="cm-icon-button"
        aria-label={t('settings.move_down', { name: ch.name })}
        data-move={`${ch.id}:1`}
        onClick={() => step(ch, 1)}
      >
        ↓
      </button>
      {ch.type !== 'category' && (
        <button
          type="button"
          className="cm-link-button"
          aria-expanded={editing === ch.id}
          aria-label={`${t('admin.channel_edit')} ${ch.name}`}
          onClick={() => setEditing(editing === ch.id ? null : ch.id)}
        >
          {t('admin.channel_edit')}
        </button>
      )}
      <button
        type="button"
        className="cm-link-button"
        onClick={() => {
          const next = window.prompt(t('settings.rename_prompt'), ch.name);
          if (next && next.trim() && next !== ch.name) rename.mutate({ id: ch.id, name: next.trim() });
        }}
      >
        {t('settings.rename')}
      </button>
      <button
        type="button"
        className="cm-link-button cm-danger"
        onClick={() => {
          if (window.confirm(t('settings.delete_confirm', { name: ch.name }))) remove.mutate(ch.id);
        }}
      >
        {t('settings.delete')}
      </button>
    </span>
  );
  const row = (ch: Channel) => {
    const cat = ch.type === 'category';
    const k = rowKey({ kind: cat ? 'group' : 'channel', id: ch.id });
    const dragging = drag?.id === ch.id;
    return (
      <li
        key={ch.id}
        data-row={cat ? 'group' : 'channel'}
        data-id={ch.id}
        className={`${cat ? 'cm-channel-admin__cat' : ''}${dragging ? ' cm-dragging' : ''}${marker(k)}`}
      >
        {handle(ch)}
        <span className="cm-channel-admin__name">{label(ch)}</span>
        {(ch.is_private || ch.slow_mode_seconds > 0) && (
          <span className="cm-muted cm-small" data-testid={`flags-${ch.id}`}>
            {ch.is_private && <span title={t('admin.private')}>🔒</span>}
            {ch.slow_mode_seconds > 0 && <span title={t('admin.slow_mode')}> ⏱ {seconds(ch.slow_mode_seconds)}</span>}
          </span>
        )}
        {actions(ch)}
        {editing === ch.id && <ChannelFieldsForm slug={slug} ch={ch} onClose={() => setEditing(null)} />}
      </li>
    );
  };

  const error = create.error ?? rename.error ?? remove.error;
  return (
    <section className="cm-card cm-settings" aria-labelledby="cm-settings-channels">
      <h2 id="cm-settings-channels">{t('settings.channels')}</h2>
      <p className="cm-muted cm-small">{t('settings.drag_hint')}</p>
      <ul ref={listRef} className={`cm-channel-admin${drag ? ' cm-channel-admin--dragging' : ''}`} data-testid="channel-admin">
        {categories.length > 0 && (
          <li data-row="group" className={`cm-channel-admin__cat cm-channel-admin__none${marker(rowKey({ kind: 'group', id: null }))}`}>
            <span className="cm-channel-admin__name">{t('settings.no_category').toUpperCase()}</span>
          </li>
        )}
        {groups.flatMap((g) => [...(g.category ? [row(g.category)] : []), ...g.channels.map(row)])}
      </ul>
      {drag && (
        // Beside the pointer, not under it, so the drop line stays in sight.
        <div className="cm-drag-chip" aria-hidden="true" style={{ left: drag.x + 18, top: drag.y - 14 }}>
          {drag.label}
        </div>
      )}
      <p className="cm-sr" role="status">
        {announce}
      </p>
      {reorder.isError && (
        <p role="alert" className="cm-error-text">
          {t('settings.move_failed', { reason: errorText(t, reorder.error) })}
        </p>
      )}
      <form
        className="cm-channel-admin__new"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) create.mutate();
        }}
      >
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder={t('settings.new_name')}
          aria-label={t('settings.new_name')}
          maxLength={100}
        />
        <select value={type} onChange={(e) => setType(e.target.value as typeof type)} aria-label={t('settings.new_type')}>
          <option value="text">{t('settings.type_text')}</option>
          <option value="announcement">{t('settings.type_announcement')}</option>
          <option value="category">{t('settings.type_category')}</option>
        </select>
        {type !== 'category' && (
          <select value={parent} onChange={(e) => setParent(e.target.value)} aria-label={t('settings.new_parent')}>
            <option value="">{t('settings.no_category')}</option>
            {categories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        )}
        <button type="submit" className="cm-button" disabled={create.isPending}>
          {t('settings.add')}
        </button>
      </form>
      {error && <p role="alert">{errorText(t, error)}</p>}
    </section>
  );
}
