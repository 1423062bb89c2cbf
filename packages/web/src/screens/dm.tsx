import { realtimeChannel, type DmMessage, type DmThread, type Me } from '@communities/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { api } from '../api';
import { Avatar } from '../components/avatar';
import { Conversation, type ConversationConfig } from '../components/chat/conversation';
import { GroupSettings, NewMessageDialog } from '../components/dm-group';
import { ErrorNote } from '../components/error-note';
import { timeAgo } from '../lib/format';
import { dmPath, linkProps, navigate } from '../lib/router';
import { attachmentStatus, uploadFile } from '../state/chat-api';
import {
  refreshUnread,
  useBlockMutation,
  useBlocksQuery,
  useInboxQuery,
  useRemoveParticipantMutation,
  useThreadQuery,
} from '../state/queries/dm';
import { useRealtime } from '../state/realtime';
import { useFeatures } from '../state/session';

const others = (t: DmThread, me: number) => t.participants.filter((p) => p.id !== me);
export const threadTitle = (t: DmThread, me: number) =>
  t.title ??
  (others(t, me)
    .map((p) => p.name)
    .join(', ') ||
    '—');

function ThreadAvatar({ thread, me, size = 40 }: { thread: DmThread; me: number; size?: number }) {
  const people = others(thread, me);
  if (thread.type === 'dm' || people.length < 2) {
    const p = people[0] ?? thread.participants[0]!;
    return <Avatar name={p.name} url={p.avatar_url} size={size} />;
  }
  return (
    <span className="cm-avatar-stack" style={{ width: size, height: size }}>
      <Avatar name={people[0]!.name} url={people[0]!.avatar_url} size={size * 0.7} />
      <Avatar name={people[1]!.name} url={people[1]!.avatar_url} size={size * 0.7} />
    </span>
  );
}

function Inbox({ me, current }: { me: Me; current: number | null }) {
  const { t, i18n } = useTranslation();
  const inbox = useInboxQuery();
  const features = useFeatures();
  const [composing, setComposing] = useState(false);
  // dm.allow_from = nobody: only admins start conversations.
  const canStart = me.is_admin || (features.data && features.data.limits.dm_allow_from !== 'nobody');
  const threads = inbox.data?.pages.flatMap((p) => p.items) ?? [];
  // "You: …" on your own last message; in groups, whose message it is.
  const lastAuthor = (th: DmThread, authorId: number) =>
    authorId === me.id
      ? t('dm.you_prefix')
      : th.type === 'group'
        ? t('dm.author_prefix', { name: th.participants.find((p) => p.id === authorId)?.name.split(' ')[0] ?? '' })
        : '';
  return (
    <nav className="cm-chat-nav" aria-labelledby="cm-inbox-title">
      <div className="cm-inbox-head">
        <h1 id="cm-inbox-title" className="cm-inbox-title">
          {t('dm.title')}
        </h1>
        {canStart && (
          <button type="button" className="cm-button cm-button--sm" onClick={() => setComposing(true)}>
            <span aria-hidden="true">✎</span> {t('dm.new_message')}
          </button>
        )}
      </div>
      {composing && <NewMessageDialog me={me} onClose={() => setComposing(false)} />}
      <div className="cm-chat-nav-scroll">
        {inbox.isError && (
          <ErrorNote
            error={inbox.error}
            notFound={t('dm.not_found')}
            forbidden={t('errors.forbidden')}
            onRetry={() => void inbox.refetch()}
          />
        )}
        {inbox.isSuccess && threads.length === 0 && <p className="cm-muted cm-inbox-empty">{t('dm.empty_inbox')}</p>}
        <ul className="cm-inbox" aria-label={t('dm.inbox_label')}>
          {threads.map((th) => {
            const title = threadTitle(th, me.id);
            const last = th.last_message;
            return (
              <li key={th.id}>
                <a
                  className={`cm-thread${th.id === current ? ' cm-thread--on' : ''}${th.unread_count > 0 ? ' cm-thread--unread' : ''}`}
                  aria-current={th.id === current ? 'page' : undefined}
                  {...linkProps(dmPath(th.id))}
                >
                  <ThreadAvatar thread={th} me={me.id} />
                  <span className="cm-thread-text">
                    <span className="cm-thread-top">
                      <span className="cm-thread-title">{title}</span>
                      {th.last_message_at && <span className="cm-thread-time">{timeAgo(th.last_message_at, i18n.language)}</span>}
                    </span>
                    <span className="cm-thread-bottom">
                      <span className="cm-thread-excerpt">
                        {last ? `${lastAuthor(th, last.author_id)}${last.excerpt ?? ''}` : t('dm.no_messages')}
                      </span>
                      {th.unread_count > 0 && (
                        <span className="cm-badge cm-badge--mention" aria-label={t('dm.unread', { count: th.unread_count })}>
                          {th.unread_count}
                        </span>
                      )}
                    </span>
                  </span>
                </a>
              </li>
            );
          })}
        </ul>
        {inbox.hasNextPage && (
          <button
            type="button"
            className="cm-button cm-button--ghost cm-more"
            onClick={() => void inbox.fetchNextPage()}
            disabled={inbox.isFetchingNextPage}
          >
            {t('dm.load_more')}
          </button>
        )}
      </div>
    </nav>
  );
}

function Thread({ threadId, me }: { threadId: number; me: Me }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const hub = useRealtime();
  const [online, setOnline] = useState<number[]>([]);
  const [settings, setSettings] = useState(false);
  const thread = useThreadQuery(threadId);
  const blocks = useBlocksQuery();
  const block = useBlockMutation();
  const leave = useRemoveParticipantMutation(threadId);

  if (thread.isError)
    return (
      <div className="cm-chat-error">
        <ErrorNote error={thread.error} notFound={t('dm.not_found')} forbidden={t('dm.not_found')} onRetry={() => void thread.refetch()} />
      </div>
    );
  const th = thread.data;
  if (!th) return <p className="cm-log-note">{t('app.loading')}</p>;
  const title = threadTitle(th, me.id);
  const other = th.type === 'dm' ? others(th, me.id)[0] : undefined;
  const iBlocked = !!other && !!blocks.data?.items.some((u) => u.id === other.id);
  // read_only on a 1:1 is a block, one way or the other: the other side's is theirs to keep, so
  // their side reads only that the conversation is closed, and has no Block button to press.
  const blockedByThem = !!other && th.read_only && !iBlocked;

  const config: ConversationConfig<DmMessage> = {
    name: title,
    io: {
      page: (query) => api.dm.messages({ params: { threadId }, query }),
      send: (body) => api.dm.post({ params: { threadId }, body }),
      changes: (query) => api.dm.changes({ params: { threadId }, query }),
    },
    edit: (id, content) => api.dm.edit({ params: { messageId: id }, body: { content } }),
    remove: (id) => api.dm.removeMessage({ params: { messageId: id } }),
    react: (id, emoji) => api.dm.react({ params: { messageId: id }, body: { emoji } }),
    read: (id) =>
      api.dm.read({ params: { threadId }, body: { message_id: id } }).then((r) => {
        refreshUnread(qc);
        return r;
      }),
    upload: (file) => uploadFile(file, { purpose: 'dm', thread_id: threadId }),
    attachmentStatus,
    mentionSource: async (q) => others(th, me.id).filter((p) => p.name.toLowerCase().includes(q.toLowerCase())),
    realtime: hub
      ? { messages: realtimeChannel.dm(hub.prefix, threadId), presence: realtimeChannel.dmPresence(hub.prefix, threadId) }
      : { messages: '', presence: '' },
    lastReadId: th.last_read_message_id,
    canPost: !th.read_only,
    canAttach: true,
    canPin: false,
    canReact: !th.read_only,
    allowEveryone: false,
    readOnly: iBlocked ? (
      <>
        {t('dm.blocked_by_me', { name: other.name })}{' '}
        <button
          type="button"
          className="cm-button cm-button--ghost cm-button--sm"
          onClick={() => block.mutate({ userId: other.id, block: false })}
          disabled={block.isPending}
        >
          {t('dm.unblock')}
        </button>
      </>
    ) : blockedByThem ? (
      <span data-testid="dm-closed">{t('dm.closed', { name: other.name })}</span>
    ) : (
      t('dm.read_only')
    ),
    onPresence: (people) => setOnline(people.map((p) => p.id)),
    empty: (
      <div className="cm-welcome">
        <ThreadAvatar thread={th} me={me.id} size={64} />
        <h2>{title}</h2>
        <p className="cm-muted">{t('dm.no_messages')}</p>
      </div>
    ),
  };

  return (
    <>
      <header className="cm-chat-head">
        <a className="cm-icon-btn cm-back-btn" {...linkProps(dmPath())} aria-label={t('dm.back')}>
          <span className="cm-flip" aria-hidden="true">
            ←
          </span>
        </a>
        <ThreadAvatar thread={th} me={me.id} size={30} />
        <h1 id="cm-chat-title" className="cm-chat-title">
          {title}
        </h1>
        {th.type === 'group' && <span className="cm-chat-topic">{t('dm.group_of', { count: th.participants.length })}</span>}
        {other && !th.read_only && online.includes(other.id) && (
          <span className="cm-chat-status" data-testid="dm-online">
            <span className="cm-presence-dot cm-presence-dot--inline" aria-hidden="true" /> {t('dm.online')}
          </span>
        )}
        <span className="cm-spacer" />
        {other &&
          !blockedByThem &&
          (iBlocked ? (
            <button
              type="button"
              className="cm-head-btn"
              onClick={() => block.mutate({ userId: other.id, block: false })}
              disabled={block.isPending}
            >
              {t('dm.unblock')}
            </button>
          ) : (
            <button
              type="button"
              className="cm-head-btn"
              disabled={block.isPending}
              onClick={() => {
                if (window.confirm(t('dm.block_confirm', { name: other.name }))) block.mutate({ userId: other.id, block: true });
              }}
            >
              {t('dm.block')}
            </button>
          ))}
        {th.type === 'group' && (
          <button type="button" className="cm-head-btn" aria-pressed={settings} onClick={() => setSettings((v) => !v)}>
            <span aria-hidden="true">⚙</span> <span className="cm-top-label">{t('dm.settings')}</span>
          </button>
        )}
        {th.type === 'group' && (
          <button
            type="button"
            className="cm-head-btn"
            disabled={leave.isPending}
            onClick={() => {
              if (window.confirm(t('dm.leave_confirm'))) leave.mutate(me.id, { onSuccess: () => navigate(dmPath()) });
            }}
          >
            {t('dm.leave')}
          </button>
        )}
      </header>
      {settings && th.type === 'group' && <GroupSettings thread={th} me={me} onClose={() => setSettings(false)} />}
      <div className="cm-chat-body">
        <Conversation key={threadId} c={config} me={me} />
      </div>
    </>
  );
}

export function DmScreen({ threadId, me }: { threadId: number | null; me: Me }) {
  const { t } = useTranslation();
  return (
    <div className={`cm-chat cm-chat--dm${threadId ? ' cm-chat--open' : ''}`}>
      <aside className="cm-chat-side cm-chat-side--inbox">
        <Inbox me={me} current={threadId} />
      </aside>
      <section className="cm-chat-main" aria-labelledby={threadId ? 'cm-chat-title' : undefined}>
        {threadId ? (
          <Thread key={threadId} threadId={threadId} me={me} />
        ) : (
          <div className="cm-welcome cm-welcome--pick">
            <span className="cm-welcome-icon" aria-hidden="true">
              ✉
            </span>
            <p className="cm-muted">{t('dm.pick')}</p>
          </div>
        )}
      </section>
    </div>
  );
}
