import { ApiError, type AnyMessage } from '@communities/client';
import { plainText } from '@communities/contract';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { useConversation, type ConversationConfig } from '../../state/chat/use-conversation';
import { useReadMarker } from '../../state/chat/use-read-marker';
import { useSlowMode } from '../../state/chat/use-slow-mode';
import { useTyping } from '../../state/chat/use-typing';
import { useFeatures } from '../../state/session';

import { Composer } from './composer';
import { MessageList } from './message-list';

export type { ConversationConfig } from '../../state/chat/use-conversation';

type Me = { id: number; name: string; avatar_url: string | null };

/** One live conversation, rendered from the shared machine: the log, typing, notices and the composer. */
export function Conversation<M extends AnyMessage>({ c, me }: { c: ConversationConfig<M>; me: Me }) {
  const { t } = useTranslation();
  const features = useFeatures();
  const { machine, snap } = useConversation(c, me.id);
  const { typing, onTyping } = useTyping(machine, c.realtime.presence, me, c.onPresence);
  const [atBottom, setAtBottom] = useState(true);
  useReadMarker(machine, atBottom, snap.messages.at(-1)?.id ?? 0, c.onRead);
  const slow = useSlowMode(snap, me.id, c.slowModeSeconds ?? 0);

  const [replyTo, setReplyTo] = useState<AnyMessage | null>(null);
  const [editing, setEditing] = useState<number | null>(null);
  const [highlighted, setHighlighted] = useState<number | null>(null);
  const [scrollTo, setScrollTo] = useState<{ id: number | 'bottom'; seq: number } | null>(null);
  const [jumpMissing, setJumpMissing] = useState(false);
  const [readMarker] = useState(c.lastReadId);
  const input = useRef<HTMLTextAreaElement>(null);

  const failed = snap.actionError;
  const notice = jumpMissing
    ? t('chat.jump_missing')
    : failed
      ? failed instanceof ApiError && failed.status === 429
        ? t('chat.rate_limited')
        : t('app.error')
      : null;
  const clearNotice = () => {
    setJumpMissing(false);
    machine.clearActionError();
  };
  const seq = useRef(0);
  const flash = (id: number) => {
    setHighlighted(id);
    setTimeout(() => setHighlighted((h) => (h === id ? null : h)), 2000);
  };
  const toPresent = () => {
    setScrollTo({ id: 'bottom', seq: ++seq.current });
    machine.toPresent().catch(() => {});
  };
  const actions = {
    onReply: (m: AnyMessage) => {
      setReplyTo(m);
      input.current?.focus();
    },
    onReact: (m: AnyMessage, emoji: string) => void machine.react(m.id, emoji),
    onEdit: async (m: AnyMessage, content: string) => {
      // The edit box stays open unless the server took the edit.
      const result = await machine.edit(m.id, content);
      if (result !== 'saved') throw new Error(result);
      input.current?.focus();
    },
    onDelete: (m: AnyMessage) => void machine.remove(m.id),
    ...(c.pin ? { onPin: (m: AnyMessage, pinned: boolean) => void machine.pin(m.id, pinned) } : {}),
    ...(c.helpful ? { onHelpful: (m: AnyMessage, helpful: boolean) => void machine.markHelpful(m.id, helpful) } : {}),
    onJump: (id: number) => {
      const el = document.getElementById(`cm-msg-${id}`);
      if (el) {
        el.scrollIntoView({ block: 'center', behavior: 'smooth' });
        el.focus({ preventScroll: true });
        flash(id);
        return;
      }
      // Older than what is loaded: fetch the stretch around it, then show it.
      machine.jumpTo(id).then(
        (found) => {
          if (!found) return setJumpMissing(true);
          setScrollTo({ id, seq: ++seq.current });
          flash(id);
        },
        () => {},
      );
    },
  };

  // Opened from search or a notification (`?message=<id>`): once the log has loaded, jump to the message (history `around` it).
  const jumped = useRef(false);
  useEffect(() => {
    if (jumped.current || snap.status !== 'ready') return;
    jumped.current = true;
    const params = new URLSearchParams(window.location.search);
    const id = Number(params.get('message'));
    if (!Number.isSafeInteger(id) || id <= 0) return;
    params.delete('message');
    const rest = params.toString();
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${rest ? `?${rest}` : ''}`);
    actions.onJump(id);
  });

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
        loadOlder={() => void machine.loadOlder()}
        loadNewer={() => void machine.loadNewer()}
        scrollTo={scrollTo}
        onPresent={toPresent}
        onRetry={(n) => machine.retry(n)}
        onDiscard={(n) => machine.discard(n)}
        onAtBottom={setAtBottom}
        onEscape={() => input.current?.focus()}
        empty={c.empty}
      />
      {snap.status === 'error' && (
        <p className="cm-banner-note" role="alert">
          {t('app.error')}{' '}
          <button type="button" className="cm-link cm-link--inline" onClick={() => void machine.load()}>
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
      {notice && (
        <p className="cm-banner-note cm-banner-note--fade" role="alert" onAnimationEnd={clearNotice}>
          {notice}
        </p>
      )}
      {c.canPost && slow.left > 0 && (
        <p className="cm-slow-note" role="status" data-testid="slow-mode">
          ⏱ {slow.held ? t('chat.slow_mode_held', { count: slow.left }) : t('chat.slow_mode_wait', { count: slow.left })}
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
            const mine = snap.messages.findLast((m) => m.author.id === me.id && !m.deleted);
            if (!mine) return false;
            setEditing(mine.id);
            return true;
          }}
          onSend={({ content, attachments }) => {
            clearNotice();
            // A message goes at the live tail: that is where the reader goes to see it.
            if (snap.hasMoreAfter) toPresent();
            machine.send({
              content,
              attachments,
              replyTo: replyTo ? { id: replyTo.id, author: replyTo.author, excerpt: plainText(replyTo.content ?? '', 120) } : null,
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
