import { ApiError, watchMessages } from '@communities/client';
import { REALTIME_EVENTS, plainText, type Attachment, type UserSummary } from '@communities/contract';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

import { activeTypers } from '../../lib/chat';
import { ChatStore, newNonce, type AnyMessage, type ChatIO, type ReactionChange } from '../../state/chat-store';
import { useConnection, useRealtime, useUploadScanned } from '../../state/realtime';
import { useFeatures } from '../../state/session';

import { Composer } from './composer';
import { MessageList } from './message-list';

export interface ConversationConfig<M extends AnyMessage> {
  name: string;
  io: ChatIO<M>;
  edit: (id: number, content: string) => Promise<M>;
  remove: (id: number) => Promise<unknown>;
  react: (id: number, emoji: string) => Promise<{ reactions: M['reactions'] }>;
  pin?: (id: number, pinned: boolean) => Promise<M>;
  read: (id: number) => Promise<unknown>;
  upload: (file: File) => Promise<Attachment>;
  attachmentStatus: (a: Attachment) => Promise<Attachment>;
  mentionSource: (q: string) => Promise<UserSummary[]>;
  /** Realtime channel names: messages and presence (online people, typing). */
  realtime: { messages: string; presence: string };
  lastReadId: number;
  canPost: boolean;
  canAttach: boolean;
  canPin: boolean;
  /** May delete other people's messages (owner, moderators): live messages get Delete from this. */
  canDeleteAny?: boolean;
  canReact: boolean;
  allowEveryone: boolean;
  /** The channel's slow mode (0: none); moderators who are exempt pass 0. */
  slowModeSeconds?: number;
  /** Shown instead of the composer when the viewer may not post. */
  readOnly: ReactNode;
  empty: ReactNode;
  onPresence?: (people: UserSummary[]) => void;
  onRead?: (lastId: number) => void;
}

type Me = { id: number; name: string; avatar_url: string | null };
type PresenceChannel = {
  members: { each(fn: (m: { id: string; info: { name: string; avatar_url: string | null } }) => void): void };
  subscribed: boolean;
  trigger(event: string, data: unknown): boolean;
  bind(event: string, fn: (d: unknown) => void): void;
  unbind(event: string, fn: (d: unknown) => void): void;
};

/** One live conversation: history, realtime stream, typing, presence, optimistic sends, reads. */
export function Conversation<M extends AnyMessage>({ c, me }: { c: ConversationConfig<M>; me: Me }) {
  const { t } = useTranslation();
  const hub = useRealtime();
  const features = useFeatures();
  const cfg = useRef(c);
  const [store] = useState(
    () => new ChatStore<M>(c.io, me.id, newNonce, () => ({ deleteAny: cfg.current.canDeleteAny ?? false, pin: cfg.current.canPin })),
  );
  const snap = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const [replyTo, setReplyTo] = useState<AnyMessage | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const [highlighted, setHighlighted] = useState<number | null>(null);
  const [scrollTo, setScrollTo] = useState<{ id: number | 'bottom'; seq: number } | null>(null);
  const connection = useConnection().state;
  const [typers, setTypers] = useState(new Map<number, { name: string; at: number }>());
  const [now, setNow] = useState(() => Date.now());
  const [atBottom, setAtBottom] = useState(true);
  const [actionError, setActionError] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const [readMarker] = useState(c.lastReadId);
  useEffect(() => {
    cfg.current = c;
  });

  useEffect(() => {
    void store.loadLatest();
  }, [store]);

  // Live stream, started from the newest message shown; it catches up after every reconnect.
  const ready = snap.status === 'ready';
  const { messages: messagesChannel, presence: presenceChannel } = c.realtime;
  useEffect(() => {
    if (!hub || !ready) return;
    const release = hub.acquire(messagesChannel);
    const stream = watchMessages<M>(hub.rt, {
      channel: messagesChannel,
      lastSeenId: store.lastId(),
      fetchAfter: (after) => cfg.current.io.page(after > 0 ? { after, limit: 50 } : { limit: 50 }),
      // After every (re)subscription: what changed meanwhile in the messages shown (edits, scans…).
      ...(cfg.current.io.changes
        ? {
            changes: {
              since: store.since(),
              oldestId: () => store.firstId(),
              fetch: (q) => cfg.current.io.changes!(q),
              onChanged: (m) => store.replace(m),
            },
          }
        : {}),
      onMessage: (m) => store.receive(m, 'live'),
      onEvent: (event, data) => {
        const d = data as Record<string, unknown>;
        if (event === REALTIME_EVENTS.messageUpdated) store.updated(d as Partial<M> & { id: number });
        else if (event === REALTIME_EVENTS.messageDeleted) store.removed(Number(d.id));
        else if (event === REALTIME_EVENTS.reactionChanged) store.reaction(d as unknown as ReactionChange);
        else if (event === REALTIME_EVENTS.messagePinned) store.pinned(Number(d.id), Boolean(d.is_pinned));
      },
    });
    return () => {
      stream.stop();
      release();
    };
  }, [hub, ready, store, messagesChannel]);

  // Presence: who is here, and who is typing (client events exist on presence channels only).
  const presenceRef = useRef<PresenceChannel | null>(null);
  useEffect(() => {
    if (!hub) return;
    const release = hub.acquire(presenceChannel);
    const ch = hub.rt.pusher.channel(presenceChannel) as unknown as PresenceChannel;
    presenceRef.current = ch;
    const publish = () => {
      const people: UserSummary[] = [];
      ch.members.each((m) => people.push({ id: Number(m.id), name: m.info.name, avatar_url: m.info.avatar_url }));
      cfg.current.onPresence?.(people);
    };
    const onTyping = (d: unknown) => {
      const x = d as { user_id?: number; name?: string };
      if (typeof x.user_id !== 'number' || typeof x.name !== 'string') return;
      const entry = { name: x.name.slice(0, 80), at: Date.now() };
      setTypers((prev) => new Map(prev).set(x.user_id!, entry));
      setNow(Date.now());
    };
    const onLeft = (d: unknown) => {
      const id = Number((d as { id: string }).id);
      setTypers((prev) => {
        const next = new Map(prev);
        next.delete(id);
        return next;
      });
      publish();
    };
    ch.bind('pusher:subscription_succeeded', publish);
    ch.bind('pusher:member_added', publish);
    ch.bind('pusher:member_removed', onLeft);
    ch.bind('client-typing', onTyping);
    if (ch.subscribed) publish();
    return () => {
      ch.unbind('pusher:subscription_succeeded', publish);
      ch.unbind('pusher:member_added', publish);
      ch.unbind('pusher:member_removed', onLeft);
      ch.unbind('client-typing', onTyping);
      presenceRef.current = null;
      release();
    };
  }, [hub, presenceChannel]);

  // A message from someone ends their typing; names fade after a few seconds.
  const lastMessage = snap.messages.at(-1);
  useEffect(() => {
    if (!lastMessage) return;
    setTypers((prev) => {
      if (!prev.has(lastMessage.author.id)) return prev;
      const next = new Map(prev);
      next.delete(lastMessage.author.id);
      return next;
    });
  }, [lastMessage]);
  const typing = activeTypers(typers, now, me.id);
  useEffect(() => {
    if (typing.length === 0) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [typing.length]);

  const lastTyped = useRef(0);
  const onTyping = useCallback(() => {
    const ch = presenceRef.current;
    if (!ch?.subscribed || Date.now() - lastTyped.current < 2500) return;
    lastTyped.current = Date.now();
    ch.trigger('client-typing', { user_id: me.id, name: me.name });
  }, [me.id, me.name]);

  // Read up to the newest message while the reader is at the bottom of a visible page.
  const readSent = useRef(c.lastReadId);
  const lastId = lastMessage?.id ?? 0;
  useEffect(() => {
    const mark = () => {
      if (!atBottom || document.visibilityState !== 'visible' || lastId <= readSent.current) return;
      readSent.current = lastId;
      cfg.current.onRead?.(lastId);
      cfg.current.read(lastId).catch(() => {
        readSent.current = 0;
      });
    };
    const timer = setTimeout(mark, 400);
    document.addEventListener('visibilitychange', mark);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', mark);
    };
  }, [atBottom, lastId]);

  // Sends that never reached the server go again when the connection is back, with their nonce
  // (the server keeps one message per nonce); while it seems up yet they fail, every few seconds.
  const waiting = snap.pending.some((p) => p.status === 'waiting');
  const wasOnline = useRef(connection === 'online');
  useEffect(() => {
    const back = connection === 'online' && !wasOnline.current;
    wasOnline.current = connection === 'online';
    if (!waiting || connection !== 'online') return;
    const timer = setTimeout(() => store.reconnected(), back ? 0 : 3000);
    return () => clearTimeout(timer);
  }, [waiting, connection, store]);

  // Scans: our uploads arrive on our user channel, everyone's with message.updated on the
  // conversation's channel (and the changes catch-up after a reconnect). Only while the socket
  // is down (or there is no realtime at all) are pending files polled.
  useUploadScanned((a) => store.attachmentScanned(a));
  const polling = !hub || connection !== 'online';
  const pendingFiles = snap.messages
    .slice(-50)
    .flatMap((m) => m.attachments)
    .filter((a) => a.scan_status === 'pending');
  const pendingKey = polling ? pendingFiles.map((a) => `${a.kind}:${a.id}`).join(',') : '';
  const pendingRef = useRef(pendingFiles);
  pendingRef.current = pendingFiles;
  useEffect(() => {
    if (!pendingKey) return;
    // Every few seconds until each file has a verdict; new messages do not restart the clock.
    const timer = setInterval(() => {
      for (const a of pendingRef.current.slice(0, 10))
        cfg.current
          .attachmentStatus(a)
          .then((x) => x.scan_status !== 'pending' && store.attachmentScanned(x))
          .catch(() => {});
    }, 4000);
    return () => clearInterval(timer);
  }, [pendingKey, store]);

  // Slow mode: after the viewer's last message, and while a send is held by a 429, a notice counts down.
  const mine = snap.messages.findLast((m) => m.author.id === me.id);
  const sentAt = mine ? Date.parse(mine.created_at) : 0;
  const heldUntil = snap.pending.reduce((max, p) => Math.max(max, p.retry_at ?? 0), 0);
  const slowUntil = Math.max(heldUntil, sentAt > 0 && (c.slowModeSeconds ?? 0) > 0 ? sentAt + c.slowModeSeconds! * 1000 : 0);
  const [clock, setClock] = useState(() => Date.now());
  const slowLeft = Math.ceil((slowUntil - clock) / 1000);
  useEffect(() => {
    if (slowUntil <= Date.now()) return;
    setClock(Date.now());
    const timer = setInterval(() => setClock(Date.now()), 250);
    const stop = setTimeout(() => clearInterval(timer), slowUntil - Date.now() + 300);
    return () => {
      clearInterval(timer);
      clearTimeout(stop);
    };
  }, [slowUntil]);

  const fail = (e: unknown) => setActionError(e instanceof ApiError && e.status === 429 ? t('chat.rate_limited') : t('app.error'));
  const seq = useRef(0);
  const flash = (id: number) => {
    setHighlighted(id);
    setTimeout(() => setHighlighted((h) => (h === id ? null : h)), 2000);
  };
  const toPresent = () => {
    setScrollTo({ id: 'bottom', seq: ++seq.current });
    store.toPresent().catch(fail);
  };
  const actions = {
    onReply: (m: AnyMessage) => {
      setReplyTo(m);
      input.current?.focus();
    },
    onReact: (m: AnyMessage, emoji: string) => {
      c.react(m.id, emoji).then((r) => store.setReactions(m.id, r.reactions), fail);
    },
    onEdit: async (m: AnyMessage, content: string) => {
      try {
        store.receive(await c.edit(m.id, content), 'rest');
      } catch (e) {
        fail(e);
        throw e;
      }
      input.current?.focus();
    },
    onDelete: (m: AnyMessage) => {
      c.remove(m.id).then(() => store.removed(m.id), fail);
    },
    ...(c.pin ? { onPin: (m: AnyMessage, pinned: boolean) => void c.pin!(m.id, pinned).then((x) => store.receive(x, 'rest'), fail) } : {}),
    onJump: (id: number) => {
      const el = document.getElementById(`cm-msg-${id}`);
      if (el) {
        el.scrollIntoView({ block: 'center', behavior: 'smooth' });
        el.focus({ preventScroll: true });
        flash(id);
        return;
      }
      // Older than what is loaded: fetch the stretch around it, then show it.
      store.jumpTo(id).then((found) => {
        if (!found) return setActionError(t('chat.jump_missing'));
        setScrollTo({ id, seq: ++seq.current });
        flash(id);
      }, fail);
    },
  };

  const limits = features.data?.limits;
  return (
    <div className="cm-convo">
      <MessageList
        snap={snap}
        me={me}
        name={c.name}
        readMarker={readMarker}
        canPin={c.canPin}
        canReact={c.canReact}
        actions={actions}
        editing={editing}
        setEditing={(id) => {
          setEditing(id);
          if (id === null) input.current?.focus();
        }}
        highlighted={highlighted}
        loadOlder={() => void store.loadOlder()}
        loadNewer={() => void store.loadNewer()}
        scrollTo={scrollTo}
        onPresent={toPresent}
        onRetry={(n) => store.retry(n)}
        onDiscard={(n) => store.discard(n)}
        onAtBottom={setAtBottom}
        onEscape={() => input.current?.focus()}
        empty={c.empty}
      />
      {snap.status === 'error' && (
        <p className="cm-banner-note" role="alert">
          {t('app.error')}{' '}
          <button type="button" className="cm-link cm-link--inline" onClick={() => void store.loadLatest()}>
            {t('app.retry')}
          </button>
        </p>
      )}
      <div className="cm-typing" aria-live="polite" data-testid="typing">
        {typing.length === 1
          ? t('chat.typing_one', { a: typing[0] })
          : typing.length === 2
            ? t('chat.typing_two', { a: typing[0], b: typing[1] })
            : typing.length > 2
              ? t('chat.typing_many')
              : ''}
      </div>
      {actionError && (
        <p className="cm-banner-note cm-banner-note--fade" role="alert" onAnimationEnd={() => setActionError(null)}>
          {actionError}
        </p>
      )}
      {c.canPost && slowLeft > 0 && (
        <p className="cm-slow-note" role="status" data-testid="slow-mode">
          ⏱ {heldUntil > clock ? t('chat.slow_mode_held', { count: slowLeft }) : t('chat.slow_mode_wait', { count: slowLeft })}
        </p>
      )}
      {c.canPost ? (
        <Composer
          name={c.name}
          maxLength={limits?.max_message_length ?? 4000}
          maxFiles={limits?.max_attachments_per_message ?? 10}
          maxFileSize={limits?.max_file_size ?? 25 * 1024 * 1024}
          canAttach={c.canAttach}
          allowEveryone={c.allowEveryone}
          upload={c.upload}
          mentionSource={c.mentionSource}
          replyTo={replyTo}
          onCancelReply={() => setReplyTo(null)}
          inputRef={input}
          onTyping={onTyping}
          onEditLast={() => {
            const mine = [...snap.messages].reverse().find((m) => m.author.id === me.id && !m.deleted);
            if (!mine) return false;
            setEditing(mine.id);
            return true;
          }}
          onSend={({ content, attachments }) => {
            setActionError(null);
            // A message goes at the live tail: that is where the reader goes to see it.
            if (snap.hasMoreAfter) toPresent();
            store.send({
              content,
              attachments,
              reply_to: replyTo ? { id: replyTo.id, author: replyTo.author, excerpt: plainText(replyTo.content ?? '', 120) } : null,
            });
            setReplyTo(null);
          }}
        />
      ) : (
        <div className="cm-readonly" role="note">
          {c.readOnly}
        </div>
      )}
    </div>
  );
}
