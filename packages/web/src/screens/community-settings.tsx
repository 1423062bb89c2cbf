import { communityKeys } from '@communities/client';
import type { CommunityDetail } from '@communities/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { api } from '../api';
import { ChannelManager } from '../components/channel-manager';
import { CourseLinksPanel, DangerZone, ImagesPanel, InvitesPanel, MembersAdmin } from '../components/community-admin';
import { errorText } from '../components/error-note';
import { RolesPanel } from '../components/roles-panel';
import { TierLinksPanel } from '../components/tier-links';

type Settings = {
  chat_enabled: boolean;
  feed_enabled: boolean;
  join_approval: boolean;
  dms_between_members: boolean;
  show_member_activity: boolean;
  show_member_list: boolean;
};
const TOGGLES = [
  'feed_enabled',
  'chat_enabled',
  'join_approval',
  'dms_between_members',
  'show_member_list',
  'show_member_activity',
] as const;

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
    show_member_activity: c.settings.show_member_activity,
    show_member_list: c.settings.show_member_list,
  });
  const save = useMutation({
    mutationFn: () =>
      api.communities.update({ params: { id: c.slug }, body: { name, description: description || null, visibility, settings } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: communityKeys.detail(c.slug) }),
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

/** Every settings section the viewer's permissions allow, in the order an owner sets things up. */
export function CommunitySettings({ c, chat, pricing }: { c: CommunityDetail; chat: boolean; pricing: boolean }) {
  const can = (a: string) => c.viewer_permissions.includes(a);
  return (
    <>
      {can('community.update') && <DetailsForm c={c} />}
      {can('community.update') && <ImagesPanel c={c} />}
      {can('members.manage') && <MembersAdmin c={c} />}
      {can('roles.manage') && <RolesPanel slug={c.slug} />}
      {chat && can('channel.manage') && <ChannelManager slug={c.slug} />}
      {can('courses.manage') && <CourseLinksPanel slug={c.slug} />}
      {pricing && can('pricing.manage') && <TierLinksPanel slug={c.slug} />}
      {can('invites.manage') && <InvitesPanel slug={c.slug} />}
      {can('community.update') && <DangerZone c={c} />}
    </>
  );
}
