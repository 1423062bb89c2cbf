import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { useMemberActionMutation, type MemberAction } from '../state/queries/moderation';

import { errorText } from './error-note';

export const DURATIONS = [10, 60, 1440, 10080, 0] as const;
const ROLES = ['member', 'moderator', 'guest'] as const;

/** A member row's moderation: warn, mute or ban with a duration and reason, kick, change role, lift. */
export function MemberModeration({
  slug,
  user,
  status,
  role,
  canChangeRole,
}: {
  slug: string;
  user: { id: number; name: string };
  status: string;
  role: string;
  canChangeRole: boolean;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<'warn' | 'mute' | 'ban' | 'kick'>('mute');
  const [minutes, setMinutes] = useState<number>(10);
  const [reason, setReason] = useState('');
  const [newRole, setNewRole] = useState(role);
  const act = useMemberActionMutation(slug);
  const run = (action: MemberAction) => act.mutate({ userId: user.id, action }, { onSuccess: () => setReason('') });
  if (!open)
    return (
      <button
        type="button"
        className="cm-button cm-button--ghost cm-button--sm"
        aria-label={t('moderation.member_actions', { name: user.name })}
        onClick={() => setOpen(true)}
      >
        🛡 {t('moderation.centre')}
      </button>
    );
  return (
    <form
      className="cm-mod-member"
      aria-label={t('moderation.member_actions', { name: user.name })}
      onSubmit={(e) => {
        e.preventDefault();
        if (kind === 'warn' || kind === 'kick') run({ kind, reason: reason.trim() });
        else run({ kind, minutes: minutes || null, reason: reason.trim() });
      }}
    >
      <select
        className="cm-input"
        aria-label={t('moderation.audit_action')}
        value={kind}
        onChange={(e) => setKind(e.target.value as typeof kind)}
      >
        {(['warn', 'mute', 'ban', 'kick'] as const).map((k) => (
          <option key={k} value={k}>
            {t(`moderation.${k}`)}
          </option>
        ))}
      </select>
      {(kind === 'mute' || kind === 'ban') && (
        <select
          className="cm-input"
          aria-label={t('moderation.duration')}
          value={minutes}
          onChange={(e) => setMinutes(Number(e.target.value))}
        >
          {DURATIONS.map((d) => (
            <option key={d} value={d}>
              {t(`moderation.dur_${d}`)}
            </option>
          ))}
        </select>
      )}
      <input
        className="cm-input"
        aria-label={t('moderation.reason_prompt')}
        placeholder={t('moderation.reason_prompt')}
        value={reason}
        maxLength={500}
        required={kind === 'warn'}
        onChange={(e) => setReason(e.target.value)}
      />
      <button type="submit" className="cm-button cm-button--danger cm-button--sm" disabled={act.isPending}>
        {t('moderation.apply')}
      </button>
      {(status === 'muted' || status === 'banned') && (
        <button type="button" className="cm-button cm-button--ghost cm-button--sm" onClick={() => run({ kind: 'lift' })}>
          {t('moderation.lift')}
        </button>
      )}
      {canChangeRole && (
        <span className="cm-row">
          <select
            className="cm-input"
            aria-label={t('moderation.change_role')}
            value={newRole}
            onChange={(e) => setNewRole(e.target.value)}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`membership.role_${r}`, { defaultValue: r })}
              </option>
            ))}
          </select>
          <button type="button" className="cm-button cm-button--ghost cm-button--sm" onClick={() => run({ kind: 'role', role: newRole })}>
            {t('moderation.change_role')}
          </button>
        </span>
      )}
      <button type="button" className="cm-link" onClick={() => setOpen(false)}>
        {t('moderation.cancel')}
      </button>
      {act.isSuccess && <span role="status">{t('moderation.done')}</span>}
      {act.isError && (
        <span role="alert" className="cm-danger">
          {errorText(t, act.error)}
        </span>
      )}
    </form>
  );
}
