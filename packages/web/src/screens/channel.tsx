import { ApiError, channelMuted } from '@communities/client';
import { realtimeChannel, type Channel, type ChannelMessage, type Me } from '@communities/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

import { api } from '../api';
import { Avatar } from '../components/avatar';
import { Conversation, type ConversationConfig } from '../components/chat/conversation';
import { ErrorNote } from '../components/error-note';
import { BellIcon } from '../components/icons';
import { ScopeNotificationControl } from '../components/notifications';
import { RichText } from '../components/rich-text';
import { TierLockedNote } from '../components/paid';
import { LockedMark, LockedNote, NameScopeProvider, useGamificationOn } from '../components/gamification';
import { channelPath, dmPath, linkProps, navigate, WEB_BASE } from '../lib/router';
import { patchChannel, useLiveBadges } from '../state/channel-badges';
import { refreshChannels, useChannelsQuery, usePinsQuery, useRefreshPins } from '../state/queries/channels';
import { useCommunityQuery, useJoinMutation } from '../state/queries/communities';
import { useDmUnreadQuery } from '../state/queries/dm';
import { useNotificationPrefsQuery } from '../state/queries/notifications';
import { attachmentStatus, communityMentions, uploadFile } from '../state/chat-api';
import { useRealtime } from '../state/realtime';

type Person = { id: number; name: string; avatar_url: string | null };
const isChat = (c: Channel) => c.type === 'text' || c.type === 'announcement';

function Badge({ channel }: { channel: Channel }) {
  const { t } = useTranslation();
  if (channel.mention_count > 0)
    return (
      <span className="cm-badge cm-badge--mention" aria-label={t('channels.mentions', { count: channel.mention_count })}>
        {channel.mention_count}
      </span>
    );
  if (channel.unread_count > 0)
    return (
      <span
        className="cm-dot"
        aria-label={t('channels.unread', { count: channel.unread_count })}
        title={t('channels.unread', { count: channel.unread_count })}
      />
    );
  return null;
}

function Sidebar({ slug, name, channels, current }: { slug: string; name: string; channels: Channel[]; current: Channel | null }) {
  const { t } = useTranslation();
  const unread = useDmUnreadQuery();
  const row = (c: Channel) => (
    <li key={c.id}>
      <a
        className={`cm-chan${c.id === current?.id ? ' cm-chan--on' : ''}${c.unread_count > 0 ? ' cm-chan--unread' : ''}`}
        aria-current={c.id === current?.id ? 'page' : undefined}
        data-channel-id={c.id}
        {...linkProps(channelPath(slug, c.slug))}
      >
        <span className="cm-chan-icon" aria-hidden="true">
          {c.type === 'announcement' ? '📣' : '#'}
        </span>
        <span className="cm-chan-name">{c.name}</span>
        {c.is_private && !c.locked && (
          <span aria-hidden="true" className="cm-chan-lock">
            🔒
          </span>
        )}
        <LockedMark channel={c} />
        {c.id !== current?.id && <Badge channel={c} />}
      </a>
    </li>
  );
  const loose = channels.filter((c) => isChat(c) && c.parent_id === null);
  const categories = channels.filter((c) => c.type === 'category');
  return (
    <nav className="cm-chat-nav" aria-label={t('channels.title')}>
      <a className="cm-chat-community" {...linkProps(`${WEB_BASE}/${slug}`)} aria-label={t('channels.back_to_community', { name })}>
        <span className="cm-flip" aria-hidden="true">
          ←
        </span>{' '}
        <span className="cm-chat-community-name">{name}</span>
      </a>
      <div className="cm-chat-nav-scroll">
        {loose.length > 0 && <ul className="cm-chan-list">{loose.map(row)}</ul>}
        {categories.map((cat) => {
          const inside = channels.filter((c) => isChat(c) && c.parent_id === cat.id);
          return (
            <section key={cat.id} className="cm-chan-cat" aria-labelledby={`cm-cat-${cat.id}`}>
              <h2 id={`cm-cat-${cat.id}`}>{cat.name}</h2>
              <ul className="cm-chan-list">{inside.map(row)}</ul>
            </section>
          );
        })}
        {channels.filter(isChat).length === 0 && <p className="cm-muted cm-small">{t('channels.none')}</p>}
      </div>
      <a className="cm-chan cm-chan--dm" {...linkProps(dmPath())}>
        <span className="cm-chan-icon" aria-hidden="true">
          ✉
        </span>
        <span className="cm-chan-name">{t('channels.messages_link')}</span>
        {(unread.data?.threads ?? 0) > 0 && (
          <span className="cm-badge cm-badge--mention" aria-label={t('dm.unread_badge', { count: unread.data!.threads })}>
            {unread.data!.threads}
          </span>
        )}
      </a>
    </nav>
  );
}

/** Those online: `count` in all, `people` of them listed (a big channel's presence lists only some). */
function OnlineList({ people, count }: { people: Person[]; count: number }) {
  const { t } = useTranslation();
  return (
    <section className="cm-online" aria-label={t('channels.online_label')}>
      <h2>{t('channels.online', { count })}</h2>
      <ul>
        {people.map((p) => (
          <li key={p.id}>
            <span className="cm-online-avatar">
              <Avatar name={p.name} url={p.avatar_url} size={28} />
              <span className="cm-presence-dot" aria-hidden="true" />
            </span>
            <span>{p.name}</span>
          </li>
        ))}
      </ul>
      {count > people.length && <p className="cm-muted">{t('channels.online_more', { count: count - people.length })}</p>}
    </section>
  );
}

/** A panel beside the conversation (pins, notification settings): a dialog that takes focus on its close button and closes on Escape. */
function SidePanel({ title, icon, onClose, children }: { title: string; icon?: string; onClose: () => void; children: ReactNode }) {
  const { t } = useTranslation();
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <section
      className="cm-panel"
      role="dialog"
      aria-label={title}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <header className="cm-panel-head">
        <h2>
          {icon ? `${icon} ` : ''}
          {title}
        </h2>
        <button ref={close} type="button" className="cm-icon-btn" aria-label={t('channels.close')} onClick={onClose}>
          ✕
        </button>
      </header>
      {children}
    </section>
  );
}

/** The channel header's bell: this channel's level and mute, and the whole community's. */
function ChannelNotifications({
  channel,
  community,
  onClose,
}: {
  channel: Channel;
  community: { id: number; name: string };
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <SidePanel title={t('notifications.prefs.settings_title')} onClose={onClose}>
      <ScopeNotificationControl
        communityId={community.id}
        communityName={community.name}
        channelId={channel.id}
        channelName={channel.name}
      />
      <ScopeNotificationControl communityId={community.id} communityName={community.name} />
      <p className="cm-muted">
        <a {...linkProps(`${WEB_BASE}/notifications`)}>{t('notifications.prefs.all_settings')}</a>
      </p>
    </SidePanel>
  );
}

function Pins({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const { t } = useTranslation();
  const pins = usePinsQuery(channel.id);
  return (
    <SidePanel title={t('channels.pins')} icon="📌" onClose={onClose}>
      {pins.data?.items.length === 0 && <p className="cm-muted">{t('channels.pins_empty')}</p>}
      <ul className="cm-pin-list">
        {pins.data?.items.map((m) => (
          <li key={m.id}>
            <div className="cm-pin-head">
              <Avatar name={m.author.name} url={m.author.avatar_url} size={22} /> <strong>{m.author.name}</strong>
            </div>
            {m.content && <RichText source={m.content} />}
          </li>
        ))}
      </ul>
    </SidePanel>
  );
}

/** "14:32" today, else date and time: when a sanction ends, as short as stays unambiguous. */
function untilText(iso: string, locale: string): string {
  const d = new Date(iso);
  const today = d.toDateString() === new Date().toDateString();
  return d.toLocaleString(locale, today ? { hour: '2-digit', minute: '2-digit' } : { dateStyle: 'medium', timeStyle: 'short' });
}

/** In place of the composer: why the viewer cannot post, and what to do about it. */
function ReadOnly({ slug, channel }: { slug: string; channel: Channel }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const community = useCommunityQuery(slug);
  const join = useJoinMutation();
  const c = community.data;
  const m = c?.viewer_membership ?? null;
  if (m?.status === 'muted')
    return (
      <span data-testid="muted-note">
        {m.sanction_reason
          ? m.muted_until
            ? t('moderation.muted_reason_until', { when: untilText(m.muted_until, i18n.language), reason: m.sanction_reason })
            : t('moderation.muted_reason', { reason: m.sanction_reason })
          : m.muted_until
            ? t('channels.muted_until', {
                when: new Date(m.muted_until).toLocaleString(i18n.language, { dateStyle: 'medium', timeStyle: 'short' }),
              })
            : t('channels.muted')}
      </span>
    );
  if (m?.status === 'pending') return <span>{t('channels.join_pending')}</span>;
  if (c && !m && c.viewer_permissions.includes('community.join'))
    return (
      <span className="cm-readonly-join">
        <span>{t('channels.join_to_post')}</span>
        <button
          type="button"
          className="cm-button"
          onClick={() => join.mutate(slug, { onSuccess: () => refreshChannels(qc, slug) })}
          disabled={join.isPending}
        >
          {c.visibility === 'public' && !c.settings.join_approval ? t('membership.join') : t('membership.request')}
        </button>
        {join.isError && (
          <span role="alert">
            {join.error instanceof ApiError && join.error.details.reason === 'tier_required' ? t('membership.needs_tier') : t('app.error')}
          </span>
        )}
      </span>
    );
  return <>{channel.type === 'announcement' ? t('channels.read_only') : t('channels.cannot_post')}</>;
}

export function ChannelScreen({ slug, channel: channelRef, me }: { slug: string; channel: string | null; me: Me }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const refreshPins = useRefreshPins();
  const hub = useRealtime();
  const [drawer, setDrawer] = useState(false);
  const drawerButton = useRef<HTMLButtonElement>(null);
  const [panel, setPanel] = useState<'pins' | 'online' | 'notify' | null>(null);
  const [online, setOnline] = useState<{ people: Person[]; count: number }>({ people: [], count: 0 });
  const community = useCommunityQuery(slug);
  const gamificationOn = useGamificationOn();
  const list = useChannelsQuery(slug);
  const channels = useMemo(() => list.data?.items ?? [], [list.data]);
  const current = channels.find((c) => isChat(c) && (c.slug === channelRef || String(c.id) === channelRef)) ?? null;
  const fallback = channels.find((c) => c.type === 'text') ?? channels.find(isChat);
  const notifyPrefs = useNotificationPrefsQuery();
  const mutedHere = !!current && channelMuted(notifyPrefs.data, current);

  // /channels alone (the community's Channels tab, "Course chat"): open the first channel.
  useEffect(() => {
    if (list.isSuccess && !channelRef && fallback) navigate(channelPath(slug, fallback.slug), { replace: true });
  }, [list.isSuccess, channelRef, fallback, slug]);

  // An opened drawer takes focus, on the current channel.
  useEffect(() => {
    if (drawer) document.querySelector<HTMLElement>('#cm-chat-drawer [aria-current="page"]')?.focus();
  }, [drawer]);

  useEffect(() => {
    setDrawer(false);
    setPanel(null);
    setOnline({ people: [], count: 0 });
  }, [current?.id]);

  useLiveBadges({
    slug,
    communityId: channels[0]?.community_id ?? community.data?.id,
    chats: channels.filter(isChat),
    viewing: current?.id ?? null,
    me: me.id,
  });

  // Alt+↑ / Alt+↓ move between channels, as in other chat apps.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') || !current) return;
      const chats = channels.filter(isChat);
      const i = chats.findIndex((c) => c.id === current.id);
      const next = chats[i + (e.key === 'ArrowUp' ? -1 : 1)];
      if (next) {
        e.preventDefault();
        navigate(channelPath(slug, next.slug));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [channels, current, slug]);

  if (list.isError)
    return (
      <div className="cm-chat-error">
        <ErrorNote
          error={list.error}
          notFound={t('community.not_found')}
          forbidden={t('channels.forbidden')}
          onRetry={() => void list.refetch()}
        />
      </div>
    );
  if (!list.data) return <p className="cm-log-note">{t('app.loading')}</p>;

  const name = community.data?.name ?? slug;
  const config: ConversationConfig<ChannelMessage> | null =
    current && !current.locked
      ? {
          name: `#${current.name}`,
          io: {
            page: (query) => api.channels.messages({ params: { channelId: current.id }, query }),
            send: (body) => api.channels.post({ params: { channelId: current.id }, body }),
            changes: (query) => api.channels.changes({ params: { channelId: current.id }, query }),
          },
          edit: (id, content) => api.channels.edit({ params: { messageId: id }, body: { content } }),
          remove: (id) => api.channels.removeMessage({ params: { messageId: id } }),
          react: (id, emoji) => api.channels.react({ params: { messageId: id }, body: { emoji } }),
          pin: (id, pinned) => {
            const done = pinned ? api.channels.pin({ params: { messageId: id } }) : api.channels.unpin({ params: { messageId: id } });
            return done.finally(() => refreshPins(current.id));
          },
          read: (id) => api.channels.read({ params: { channelId: current.id }, body: { message_id: id } }),
          upload: (file) => uploadFile(file, { purpose: 'channel' }),
          attachmentStatus,
          mentionSource: (q) => communityMentions(slug, q, me.id),
          realtime: hub
            ? {
                messages: realtimeChannel.channel(hub.prefix, current.id),
                presence: realtimeChannel.channelPresence(hub.prefix, current.id),
              }
            : { messages: '', presence: '' },
          lastReadId: current.last_read_message_id,
          canPost: current.viewer_can.post,
          canAttach: current.viewer_can.attach,
          canPin: current.viewer_can.pin,
          canDeleteAny: community.data?.viewer_permissions.includes('channel.delete_any') ?? false,
          ...(gamificationOn
            ? {
                helpful: (id: number, helpful: boolean) =>
                  helpful
                    ? api.gamification.markMessageHelpful({ params: { messageId: id } })
                    : api.gamification.unmarkMessageHelpful({ params: { messageId: id } }),
                helpfulRights: community.data?.viewer_permissions.includes('moderation.review')
                  ? ('moderator' as const)
                  : ('asker' as const),
              }
            : {}),
          canReact: true,
          allowEveryone: current.viewer_can.mention_everyone,
          slowModeSeconds: current.viewer_can.manage ? 0 : current.slow_mode_seconds,
          readOnly: <ReadOnly slug={slug} channel={current} />,
          empty: (
            <div className="cm-welcome">
              <span className="cm-welcome-icon" aria-hidden="true">
                {current.type === 'announcement' ? '📣' : '#'}
              </span>
              <h2>{t('chat.beginning', { name: `#${current.name}` })}</h2>
              <p className="cm-muted">{current.topic ?? t('chat.empty')}</p>
            </div>
          ),
          onPresence: (people, count) => setOnline({ people, count }),
          onRead: () => patchChannel(qc, slug, current.id, () => ({ unread_count: 0, mention_count: 0 })),
        }
      : null;

  return (
    <div
      className={`cm-chat${drawer ? ' cm-chat--drawer' : ''}`}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && drawer) {
          setDrawer(false);
          drawerButton.current?.focus();
        }
      }}
    >
      <aside className="cm-chat-side" id="cm-chat-drawer">
        <Sidebar slug={slug} name={name} channels={channels} current={current} />
      </aside>
      {drawer && <button type="button" className="cm-scrim" aria-label={t('channels.close_drawer')} onClick={() => setDrawer(false)} />}
      <section className="cm-chat-main" aria-labelledby="cm-chat-title">
        <header className="cm-chat-head">
          <button
            type="button"
            ref={drawerButton}
            className="cm-icon-btn cm-drawer-btn"
            aria-label={drawer ? t('channels.close_drawer') : t('channels.open_drawer')}
            aria-expanded={drawer}
            aria-controls="cm-chat-drawer"
            onClick={() => {
              setDrawer((d) => !d);
            }}
          >
            ☰
          </button>
          <h1 id="cm-chat-title" className="cm-chat-title">
            <span aria-hidden="true" className="cm-muted">
              {current?.type === 'announcement' ? '📣 ' : '# '}
            </span>
            {current?.name ?? name}
          </h1>
          {current?.topic && <span className="cm-chat-topic">{current.topic}</span>}
          <span className="cm-spacer" />
          {current && (
            <>
              <button
                type="button"
                className="cm-head-btn"
                aria-pressed={panel === 'online'}
                onClick={() => setPanel((p) => (p === 'online' ? null : 'online'))}
                data-testid="online-count"
              >
                <span className="cm-presence-dot cm-presence-dot--inline" aria-hidden="true" /> {online.count}
                <span className="cm-sr">{t('channels.online_label')}</span>
              </button>
              <button
                type="button"
                className="cm-head-btn"
                aria-label={t('channels.pins')}
                title={t('channels.pins')}
                aria-pressed={panel === 'pins'}
                onClick={() => setPanel((p) => (p === 'pins' ? null : 'pins'))}
              >
                📌
              </button>
              <button
                type="button"
                className="cm-head-btn"
                aria-label={t('notifications.prefs.settings_title')}
                title={t('notifications.prefs.settings_title')}
                aria-pressed={panel === 'notify'}
                onClick={() => setPanel((p) => (p === 'notify' ? null : 'notify'))}
                data-testid="channel-notify-button"
              >
                <BellIcon muted={mutedHere} />
              </button>
            </>
          )}
        </header>
        <div className="cm-chat-body">
          {config ? (
            <NameScopeProvider communityId={community.data?.id ?? null} slug={slug}>
              <Conversation key={current!.id} c={config} me={me} />
            </NameScopeProvider>
          ) : current?.locked_reason === 'tier_required' ? (
            <TierLockedNote channel={current} slug={slug} />
          ) : current?.locked ? (
            <LockedNote channel={current} />
          ) : channelRef ? (
            <div className="cm-chat-error">
              <ErrorNote
                error={new ApiError(404, 'not_found', '')}
                notFound={t('channels.not_found')}
                forbidden={t('channels.forbidden')}
              />
            </div>
          ) : (
            <p className="cm-log-note">{fallback ? t('app.loading') : t('channels.none')}</p>
          )}
          {panel === 'pins' && current && <Pins channel={current} onClose={() => setPanel(null)} />}
          {panel === 'notify' && current && community.data && (
            <ChannelNotifications
              channel={current}
              community={{ id: community.data.id, name: community.data.name }}
              onClose={() => setPanel(null)}
            />
          )}
          {panel === 'online' && (
            <section className="cm-panel cm-panel--online">
              <OnlineList {...online} />
            </section>
          )}
        </div>
      </section>
      <aside className="cm-chat-members">
        <OnlineList {...online} />
      </aside>
    </div>
  );
}
