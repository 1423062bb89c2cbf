import { ApiError } from '@communities/client';
import type { Channel, CommunityDetail } from '@communities/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { api } from '../api';

type Settings = { chat_enabled: boolean; feed_enabled: boolean; join_approval: boolean; dms_between_members: boolean };
const TOGGLES = ['feed_enabled', 'chat_enabled', 'join_approval', 'dms_between_members'] as const;

function errorText(t: (k: string) => string, e: unknown): string {
  if (e instanceof ApiError) return e.issues[0]?.message ?? e.message;
  return t('errors.generic');
}

/** The community's own settings: what it is called, who sees it, what is switched on. */
function DetailsForm({ c }: { c: CommunityDetail }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState(c.name);
  const [description, setDescription] = useState(c.description ?? '');
  const [visibility, setVisibility] = useState(c.visibility);
  const [settings, setSettings] = useState<Settings>({
    chat_enabled: c.settings.chat_enabled,
    feed_enabled: c.settings.feed_enabled,
    join_approval: c.settings.join_approval,
    dms_between_members: c.settings.dms_between_members,
  });
  const save = useMutation({
    mutationFn: () =>
      api.communities.update({ params: { id: c.slug }, body: { name, description: description || null, visibility, settings } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['community', c.slug] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="cm-card cm-settings" onSubmit={submit} aria-labelledby="cm-settings-details">
      <h2 id="cm-settings-details">{t('settings.details')}</h2>
      <label className="cm-field">
        <span>{t('settings.name')}</span>
        <input value={name} onChange={(e) => setName(e.target.value)} minLength={3} maxLength={120} required />
      </label>
      <label className="cm-field">
        <span>{t('settings.description')}</span>
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={3} maxLength={5000} />
      </label>
      <label className="cm-field">
        <span>{t('settings.visibility')}</span>
        <select value={visibility} onChange={(e) => setVisibility(e.target.value as typeof visibility)}>
          {(['public', 'private', 'hidden'] as const).map((v) => (
            <option key={v} value={v}>
              {t(`visibility.${v}`)}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="cm-field">
        <legend>{t('settings.features')}</legend>
        {TOGGLES.map((k) => (
          <label key={k} className="cm-check">
            <input type="checkbox" checked={settings[k]} onChange={(e) => setSettings({ ...settings, [k]: e.target.checked })} />
            <span>{t(`settings.${k}`)}</span>
          </label>
        ))}
      </fieldset>
      <div className="cm-settings-actions">
        <button type="submit" className="cm-button" disabled={save.isPending}>
          {save.isPending ? t('settings.saving') : t('settings.save')}
        </button>
        {save.isSuccess && <span role="status">{t('settings.saved')}</span>}
        {save.isError && <span role="alert">{errorText(t, save.error)}</span>}
      </div>
    </form>
  );
}

/** Categories and channels: add, rename, move up or down, delete. */
function ChannelManager({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['channels', slug], queryFn: () => api.channels.list({ params: { id: slug } }) });
  const [name, setName] = useState('');
  const [type, setType] = useState<'text' | 'announcement' | 'category'>('text');
  const [parent, setParent] = useState<string>('');
  const refresh = () => void qc.invalidateQueries({ queryKey: ['channels', slug] });
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
    mutationFn: (items: Array<{ id: number; parent_id: number | null; position: number }>) =>
      api.channels.reorder({ params: { id: slug }, body: { items } }),
    onSuccess: refresh,
  });
  const items = list.data?.items ?? [];
  const categories = items.filter((c) => c.type === 'category');
  /** Swaps a channel with its neighbour among its siblings (same category). */
  const move = (ch: Channel, by: -1 | 1) => {
    const siblings = items.filter((c) => (c.type === 'category') === (ch.type === 'category') && c.parent_id === ch.parent_id);
    const i = siblings.findIndex((c) => c.id === ch.id);
    const j = i + by;
    if (j < 0 || j >= siblings.length) return;
    const order = [...siblings];
    [order[i], order[j]] = [order[j]!, order[i]!];
    reorder.mutate(order.map((c, position) => ({ id: c.id, parent_id: c.parent_id, position })));
  };
  const error = create.error ?? rename.error ?? remove.error ?? reorder.error;
  return (
    <section className="cm-card cm-settings" aria-labelledby="cm-settings-channels">
      <h2 id="cm-settings-channels">{t('settings.channels')}</h2>
      <ul className="cm-channel-admin">
        {items.map((ch) => (
          <li key={ch.id} className={ch.type === 'category' ? 'cm-channel-admin__cat' : undefined}>
            <span className="cm-channel-admin__name">
              {ch.type === 'category' ? ch.name.toUpperCase() : `${ch.type === 'announcement' ? '📣' : '#'} ${ch.name}`}
            </span>
            <span className="cm-channel-admin__actions">
              <button
                type="button"
                className="cm-icon-button"
                aria-label={t('settings.move_up', { name: ch.name })}
                onClick={() => move(ch, -1)}
              >
                ↑
              </button>
              <button
                type="button"
                className="cm-icon-button"
                aria-label={t('settings.move_down', { name: ch.name })}
                onClick={() => move(ch, 1)}
              >
                ↓
              </button>
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
          </li>
        ))}
      </ul>
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

export function CommunitySettings({ c, chat }: { c: CommunityDetail; chat: boolean }) {
  return (
    <>
      {c.viewer_permissions.includes('community.update') && <DetailsForm c={c} />}
      {chat && c.viewer_permissions.includes('channel.manage') && <ChannelManager slug={c.slug} />}
    </>
  );
}
