import { notificationScope } from '@communities/client';
import { NOTIFICATION_KINDS, NOTIFICATION_LEVELS, realtimeChannel, type Notification, type NotificationLevel } from '@communities/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { timeAgo } from '../lib/format';
import { channelPath, dmPath, linkProps, navigate, notificationsPath, WEB_BASE } from '../lib/router';
import {
  refreshNotifications,
  useMarkReadMutation,
  useNotificationPrefsMutation,
  useNotificationPrefsQuery,
  useNotificationsQuery,
} from '../state/queries/notifications';
import { useRealtime, useRealtimeEvent } from '../state/realtime';

import { BellIcon } from './icons';
import { SavedCheckbox } from './saved-checkbox';

/** Where a notification leads: the message (opened "around" it), the DM, the post, the community. */
export function notificationHref(n: Notification): string {
  if (n.thread_id) return `${dmPath(n.thread_id)}${n.message_id ? `?message=${n.message_id}` : ''}`;
  if (n.community_id && n.channel_id)
    return `${channelPath(String(n.community_id), String(n.channel_id))}${n.message_id ? `?message=${n.message_id}` : ''}`;
  if (n.community_id && n.kind === 'join_request') return `${WEB_BASE}/${n.community_id}/requests`;
  if (n.community_id) return `${WEB_BASE}/${n.community_id}`;
  return notificationsPath();
}

/** The title in the reader's language, from the item's kind and values; the server's English as the fallback. */
export function useNotificationTitle() {
  const { t } = useTranslation();
  return (n: Notification) => {
    const key = typeof n.data.title_key === 'string' ? n.data.title_key : null;
    if (!key) return n.title;
    return t(`notifications.text.${key}`, {
      ...n.data,
      actor: n.actor?.name ?? t('notifications.text.someone'),
      count: n.count,
      others: n.count - 1,
      defaultValue: n.title,
    });
  };
}

/** Live: a new notification or a read elsewhere refreshes the bell and the list. */
function useLiveNotifications() {
  const hub = useRealtime();
  const qc = useQueryClient();
  const channel = hub ? realtimeChannel.user(hub.prefix, hub.me) : null;
  useRealtimeEvent(channel, 'notification.created', () => refreshNotifications(qc));
  useRealtimeEvent(channel, 'notification.read', () => refreshNotifications(qc));
}

function NotificationItem({ n, onOpen }: { n: Notification; onOpen: (n: Notification) => void }) {
  const { t, i18n } = useTranslation();
  const title = useNotificationTitle();
  const href = notificationHref(n);
  return (
    <li className={`cm-notif${n.read ? '' : ' cm-notif--unread'}`} data-testid="notification-item" data-kind={n.kind}>
      <a
        href={href}
        onClick={(e) => {
          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
          e.preventDefault();
          onOpen(n);
        }}
      >
        <span className="cm-notif-title">
          <bdi>{title(n)}</bdi>
        </span>
        {n.body !== null ? (
          <span className="cm-notif-body" dir="auto">
            {n.body}
          </span>
        ) : n.data.unavailable ? (
          <span className="cm-notif-body cm-muted">{t('notifications.unavailable')}</span>
        ) : null}
        <time className="cm-small cm-muted" dateTime={n.updated_at}>
          {timeAgo(n.updated_at, i18n.language)}
        </time>
      </a>
    </li>
  );
}

function NotificationList({ onOpened, limit = 20 }: { onOpened?: () => void; limit?: number }) {
  const { t } = useTranslation();
  const list = useNotificationsQuery(limit);
  const read = useMarkReadMutation();
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const open = (n: Notification) => {
    if (!n.read) read.mutate({ ids: [n.id] });
    onOpened?.();
    navigate(notificationHref(n));
  };
  return (
    <>
      {items.length === 0 && !list.isLoading && <p className="cm-muted cm-notif-empty">{t('notifications.empty')}</p>}
      <ul className="cm-notif-list" aria-label={t('notifications.title')}>
        {items.map((n) => (
          <NotificationItem key={n.id} n={n} onOpen={open} />
        ))}
      </ul>
      {list.hasNextPage && (
        <button type="button" className="cm-button cm-button--ghost" onClick={() => void list.fetchNextPage()}>
          {t('notifications.load_more')}
        </button>
      )}
    </>
  );
}

/** The header's bell: the unread count, and a panel with the latest notifications. */
export function NotificationBell() {
  const { t } = useTranslation();
  useLiveNotifications();
  const list = useNotificationsQuery();
  const read = useMarkReadMutation();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const unread = list.data?.pages[0]?.unread_count ?? 0;
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);
  return (
    <div className="cm-bell" ref={box}>
      <button
        type="button"
        className="cm-top-link"
        aria-expanded={open}
        aria-haspopup="true"
        aria-label={unread > 0 ? t('notifications.bell_unread', { count: unread }) : t('notifications.bell')}
        onClick={() => setOpen((o) => !o)}
        data-testid="notification-bell"
      >
        <BellIcon />
        {unread > 0 && (
          <span className="cm-badge cm-badge--mention" data-testid="notification-count">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open && (
        <div className="cm-bell-panel" role="dialog" aria-label={t('notifications.title')} data-testid="notification-panel">
          <div className="cm-bell-head">
            <strong>{t('notifications.title')}</strong>
            <span className="cm-spacer" />
            {unread > 0 && (
              <button type="button" className="cm-link" onClick={() => read.mutate({ all: true })} data-testid="notifications-read-all">
                {t('notifications.mark_all_read')}
              </button>
            )}
            <a className="cm-link" {...linkProps(notificationsPath())} onClick={() => setOpen(false)}>
              {t('notifications.preferences')}
            </a>
          </div>
          <NotificationList onOpened={() => setOpen(false)} />
        </div>
      )}
    </div>
  );
}

/** /communities/notifications: the full list, and the preferences. */
export function NotificationsScreen() {
  const { t } = useTranslation();
  useLiveNotifications();
  const prefs = useNotificationPrefsQuery();
  const save = useNotificationPrefsMutation();
  const p = prefs.data;
  return (
    <div className="cm-notif-screen">
      <section className="cm-card">
        <h1>{t('notifications.title')}</h1>
        <NotificationList limit={50} />
      </section>
      <section className="cm-card" aria-labelledby="cm-notif-prefs">
        <h2 id="cm-notif-prefs">{t('notifications.preferences')}</h2>
        {p && (
          <>
            <label className="cm-field">
              <span>{t('notifications.prefs.default_level')}</span>
              <select
                value={p.level}
                onChange={(e) => save.mutate({ patch: { level: e.target.value as NotificationLevel } })}
                data-testid="notification-level"
              >
                {NOTIFICATION_LEVELS.map((l) => (
                  <option key={l} value={l}>
                    {t(`notifications.prefs.level_${l}`)}
                  </option>
                ))}
              </select>
            </label>
            <table className="cm-table cm-notif-kinds">
              <thead>
                <tr>
                  <th scope="col">{t('notifications.prefs.kind')}</th>
                  <th scope="col">{t('notifications.prefs.in_app')}</th>
                  <th scope="col">{t('notifications.prefs.host')}</th>
                </tr>
              </thead>
              <tbody>
                {NOTIFICATION_KINDS.map((k) => (
                  <tr key={k}>
                    <th scope="row">{t(`notifications.kinds.${k}`)}</th>
                    {(['in_app', 'host'] as const).map((where) => (
                      <td key={where}>
                        <SavedCheckbox
                          aria-label={`${t(`notifications.kinds.${k}`)}: ${t(`notifications.prefs.${where}`)}`}
                          title={p.allowed[k][where] ? undefined : t('notifications.prefs.not_allowed')}
                          disabled={!p.allowed[k][where]}
                          checked={p.allowed[k][where] && p.kinds[k][where]}
                          revision={save.status}
                          onChecked={(on) => save.mutate({ patch: { kinds: { [k]: { [where]: on } } } })}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
            {p.scopes.length > 0 && (
              <>
                <h3>{t('notifications.prefs.communities')}</h3>
                <ul className="cm-notif-scopes">
                  {p.scopes.map((s) => (
                    <li key={`${s.community_id}:${s.channel_id}`}>
                      <a
                        {...linkProps(
                          s.channel_id ? channelPath(String(s.community_id), String(s.channel_id)) : `${WEB_BASE}/${s.community_id}`,
                        )}
                      >
                        <bdi>{s.community_name}</bdi>
                        {s.channel_name !== null && (
                          <>
                            {' · # '}
                            <bdi>{s.channel_name}</bdi>
                          </>
                        )}
                      </a>{' '}
                      {s.level && <span className="cm-muted">{t(`notifications.prefs.level_${s.level}`)}</span>}{' '}
                      {s.muted && (
                        <button
                          type="button"
                          className="cm-link"
                          onClick={() =>
                            save.mutate({
                              patch: {
                                community_id: s.community_id,
                                ...(s.channel_id ? { channel_id: s.channel_id } : {}),
                                muted: false,
                              },
                            })
                          }
                        >
                          {t('notifications.prefs.unmute')}
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </section>
    </div>
  );
}

/**
 * A community's (or a channel's) own notification level and mute, as Discord's channel bell: the
 * channel header's Notifications panel and the community page show it. Saves show at once.
 */
export function ScopeNotificationControl({
  communityId,
  communityName,
  channelId,
  channelName,
}: {
  communityId: number;
  communityName: string;
  channelId?: number;
  channelName?: string;
}) {
  const { t } = useTranslation();
  const prefs = useNotificationPrefsQuery();
  const save = useNotificationPrefsMutation();
  const { scope, ids, names } = notificationScope(prefs.data, { communityId, communityName, channelId, channelName });
  const label = channelId ? `# ${channelName ?? ''}` : `${t('notifications.prefs.whole_community')}: ${communityName}`;
  return (
    <fieldset className="cm-notif-scope" data-testid={channelId ? 'channel-notifications' : 'community-notifications'}>
      <legend>
        <bdi>{label}</bdi>
      </legend>
      <select
        aria-label={`${label}: ${t('notifications.prefs.notify_about')}`}
        value={scope?.level ?? ''}
        disabled={!prefs.data}
        onChange={(e) => save.mutate({ patch: { ...ids, level: (e.target.value || null) as NotificationLevel | null }, names })}
      >
        <option value="">{t('notifications.prefs.level_default')}</option>
        {NOTIFICATION_LEVELS.map((l) => (
          <option key={l} value={l}>
            {t(`notifications.prefs.level_${l}`)}
          </option>
        ))}
      </select>
      <label className="cm-check">
        <SavedCheckbox
          checked={scope?.muted ?? false}
          revision={save.status}
          disabled={!prefs.data}
          onChecked={(muted) => save.mutate({ patch: { ...ids, muted }, names })}
        />{' '}
        {t('notifications.prefs.mute')}
      </label>
    </fieldset>
  );
}
