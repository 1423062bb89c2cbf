import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

import { groupMessages } from '../../lib/chat';
import { dayLabel } from '../../lib/format';
import type { AnyMessage, ConversationSnapshot } from '@communities/client';

import { MessageItem, PendingItem, type MessageActions } from './message-item';

export interface MessageListProps {
  snap: ConversationSnapshot<AnyMessage>;
  me: { id: number; name: string; avatar_url: string | null };
  name: string;
  /** The last message read before this visit: a "New messages" line goes after it. */
  readMarker: number;
  canPin: boolean;
  canReact: boolean;
  actions: MessageActions;
  editing: number | null;
  setEditing: (id: number | null) => void;
  highlighted: number | null;
  loadOlder: () => void;
  /** The next page down while an older stretch is shown (after a jump). */
  loadNewer: () => void;
  /** Bring a message (centred) or the bottom into view; a new `seq` asks again. */
  scrollTo: { id: number | 'bottom'; seq: number } | null;
  /** "Jump to present": back to the live tail. */
  onPresent: () => void;
  onRetry: (nonce: string) => void;
  onDiscard: (nonce: string) => void;
  onAtBottom: (atBottom: boolean) => void;
  onEscape: () => void;
  empty: ReactNode;
}

/**
 * The scrolling log: newest at the bottom, older pages loaded when scrolling near the top
 * (keeping what the reader looks at in place), stuck to the bottom while the reader is there.
 * After a jump to an old message it shows that stretch, loads newer pages on the way down and
 * offers a way back to the present.
 */
export function MessageList(p: MessageListProps) {
  const { t, i18n } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const anchor = useRef<{ height: number; top: number } | null>(null);
  const [unseen, setUnseen] = useState(0);
  const { messages, pending, status, hasMoreBefore, loadingOlder, hasMoreAfter, loadingNewer } = p.snap;
  const lastId = messages.at(-1)?.id ?? 0;
  const firstId = messages[0]?.id ?? 0;
  const rows = groupMessages(messages);
  const { onAtBottom, loadOlder, loadNewer, scrollTo } = p;
  // An older stretch is shown (or just was): the log does not follow or count new messages.
  const detached = useRef(false);

  /** The log's size when last measured: a scroll that comes with a new size was layout, not the reader. */
  const geometry = useRef({ height: 0, client: 0 });
  const measure = useCallback((el: HTMLDivElement) => {
    const resized = el.scrollHeight !== geometry.current.height || el.clientHeight !== geometry.current.client;
    geometry.current = { height: el.scrollHeight, client: el.clientHeight };
    return resized;
  }, []);
  // Reads and writes refs only, so it is the same function on every render (the effects below list it).
  const toBottom = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    measure(el);
  }, [measure]);

  const older = () => {
    const el = scroller.current;
    if (!el || !hasMoreBefore || loadingOlder) return;
    anchor.current = { height: el.scrollHeight, top: el.scrollTop };
    loadOlder();
  };

  // Prepended history: keep the same messages under the reader's eyes (the newest, at the bottom).
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && anchor.current) {
      if (atBottom.current && !detached.current) toBottom();
      else el.scrollTop = anchor.current.top + (el.scrollHeight - anchor.current.height);
      anchor.current = null;
    }
  }, [firstId, toBottom]);

  // New messages: follow them when at the bottom (or when they are ours), else count them.
  const prevLast = useRef(0);
  const prevPending = useRef(0);
  useLayoutEffect(() => {
    const wasDetached = detached.current;
    detached.current = hasMoreAfter;
    if (hasMoreAfter || wasDetached) {
      // Pages added below an older stretch leave the reader where they were.
      const el = scroller.current;
      if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 60;
      prevLast.current = lastId || prevLast.current;
      prevPending.current = pending.length;
      return;
    }
    const grewPending = pending.length > prevPending.current;
    const newer = lastId > prevLast.current && prevLast.current !== 0;
    const mine = messages.at(-1)?.author.id === p.me.id;
    if (status === 'ready' && (prevLast.current === 0 || atBottom.current || grewPending || (newer && mine))) toBottom();
    else if (newer) setUnseen((n) => n + 1);
    prevLast.current = lastId || prevLast.current;
    prevPending.current = pending.length;
  }, [lastId, pending.length, status, messages, p.me.id, hasMoreAfter, toBottom]);

  // A jump: once the message (or the live tail) is rendered, bring it into view.
  const scrolled = useRef(0);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !scrollTo || scrollTo.seq === scrolled.current) return;
    if (scrollTo.id === 'bottom') {
      if (hasMoreAfter) return;
      toBottom();
    } else {
      const target = document.getElementById(`cm-msg-${scrollTo.id}`);
      if (!target) return;
      target.scrollIntoView({ block: 'center' });
      target.focus({ preventScroll: true });
    }
    scrolled.current = scrollTo.seq;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < 60;
    atBottom.current = bottom;
    onAtBottom(bottom);
    if (bottom) setUnseen(0);
  }, [scrollTo, messages, hasMoreAfter, onAtBottom, toBottom]);

  // Images, edits and a resized window change heights: stay pinned to the bottom while the
  // reader is there.
  useEffect(() => {
    const el = content.current;
    if (!el || !scroller.current) return;
    const ro = new ResizeObserver(() => {
      if (atBottom.current && !detached.current) toBottom();
    });
    ro.observe(el);
    ro.observe(scroller.current);
    return () => ro.disconnect();
  }, [toBottom]);

  // Short first pages do not scroll: fetch more until they do (or there is nothing older).
  useEffect(() => {
    const el = scroller.current;
    if (el && status === 'ready' && hasMoreBefore && !loadingOlder && el.scrollHeight <= el.clientHeight + 40) older();
  });

  const onScroll = () => {
    const el = scroller.current!;
    // A scroll that came with a change of size (an image loading, the window resized) was not
    // the reader leaving the bottom: stay pinned.
    if (measure(el) && atBottom.current && !detached.current) {
      toBottom();
      return;
    }
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < 60;
    if (bottom !== atBottom.current) {
      atBottom.current = bottom;
      onAtBottom(bottom);
    }
    if (bottom) setUnseen(0);
    if (el.scrollTop < 400) older();
    if (hasMoreAfter && !loadingNewer && el.scrollHeight - el.scrollTop - el.clientHeight < 400) loadNewer();
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(scroller.current?.querySelectorAll<HTMLElement>('.cm-msg[data-message-id]') ?? [])];
    const current = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('.cm-msg[data-message-id]');
    const i = current ? items.indexOf(current) : items.length;
    const go = (j: number) => {
      const target = items[Math.max(0, Math.min(items.length - 1, j))];
      if (target) {
        e.preventDefault();
        target.focus();
        target.scrollIntoView({ block: 'nearest' });
      }
    };
    if (e.target instanceof HTMLTextAreaElement) return;
    if (e.key === 'ArrowUp') go(i - 1);
    else if (e.key === 'ArrowDown') {
      if (current && i === items.length - 1) {
        e.preventDefault();
        p.onEscape();
      } else go(i + 1);
    } else if (e.key === 'Home' && current) go(0);
    else if (e.key === 'End' && current) go(items.length - 1);
    else if (e.key === 'Escape') {
      e.preventDefault();
      p.onEscape();
    }
  };

  const firstUnread = p.readMarker > 0 ? messages.find((m) => m.id > p.readMarker && m.author.id !== p.me.id)?.id : undefined;
  const lastMessage = messages.at(-1);
  const words = { today: t('chat.today'), yesterday: t('chat.yesterday') };
  return (
    <div className="cm-log-wrap">
      <div
        ref={scroller}
        className="cm-log"
        role="log"
        aria-label={t('chat.messages_label', { name: p.name })}
        aria-busy={status === 'loading' || loadingOlder}
        tabIndex={0}
        onScroll={onScroll}
        onKeyDown={onKey}
      >
        <div ref={content} className="cm-log-content">
          {status === 'ready' && !hasMoreBefore && messages.length > 0 && (
            <p className="cm-log-start">
              <span className="cm-log-start-icon" aria-hidden="true">
                ✦
              </span>
              {t('chat.beginning', { name: p.name })}
            </p>
          )}
          {hasMoreBefore && (
            <button type="button" className="cm-link cm-log-older" onClick={older} disabled={loadingOlder}>
              {loadingOlder ? t('chat.loading_older') : t('chat.load_older')}
            </button>
          )}
          {status === 'loading' && <p className="cm-log-note">{t('app.loading')}</p>}
          {status === 'ready' && messages.length === 0 && pending.length === 0 && <div className="cm-log-empty">{p.empty}</div>}
          {rows.map(({ message: m, grouped, dayBreak }) => (
            <div key={m.id} className="cm-log-row">
              {dayBreak && (
                <div className="cm-day" role="separator">
                  <span>{dayLabel(dayBreak, i18n.language, words)}</span>
                </div>
              )}
              {m.id === firstUnread && (
                <div className="cm-unread-line" role="separator">
                  <span>{t('chat.new_messages')}</span>
                </div>
              )}
              <MessageItem
                message={m}
                grouped={grouped && m.id !== firstUnread}
                me={p.me.id}
                canPin={p.canPin}
                canReact={p.canReact}
                editing={p.editing === m.id}
                highlighted={p.highlighted === m.id}
                setEditing={p.setEditing}
                actions={p.actions}
              />
            </div>
          ))}
          {loadingNewer && <p className="cm-log-note">{t('chat.loading_newer')}</p>}
          {pending.map((x, i) => (
            <PendingItem
              key={x.nonce}
              p={x}
              me={p.me}
              grouped={i > 0 || (lastMessage?.author.id === p.me.id && !x.reply_to)}
              onRetry={() => p.onRetry(x.nonce)}
              onDiscard={() => p.onDiscard(x.nonce)}
            />
          ))}
        </div>
      </div>
      {hasMoreAfter && (
        <div className="cm-present-bar">
          <span>{t('chat.viewing_older')}</span>
          <button type="button" className="cm-present-button" onClick={p.onPresent}>
            {t('chat.jump_present')} ↓
          </button>
        </div>
      )}
      {unseen > 0 && !hasMoreAfter && (
        <button
          type="button"
          className="cm-jump"
          onClick={() => {
            toBottom();
            setUnseen(0);
          }}
          aria-label={t('chat.jump_latest')}
        >
          {t('chat.new_messages')} ↓
        </button>
      )}
    </div>
  );
}
