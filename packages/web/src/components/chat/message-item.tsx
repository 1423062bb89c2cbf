import { plainText } from '@communities/contract';
import { useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';

import { clockTime, fullDate } from '../../lib/format';
import type { AnyMessage, PendingMessage } from '@communities/client';
import { Avatar } from '../avatar';
import { RichText } from '../rich-text';
import { EmojiPicker, Reactions } from '../reactions';
import { ReportButton } from '../report-button';

import { AttachmentList } from './attachments';
import { AuthorName } from '../gamification';
import { RejectedText, rejectedSpans } from './rejection';

export interface MessageActions {
  onReply: (m: AnyMessage) => void;
  onReact: (m: AnyMessage, emoji: string) => void;
  onEdit: (m: AnyMessage, content: string) => Promise<unknown>;
  onDelete: (m: AnyMessage) => void;
  onPin?: (m: AnyMessage, pinned: boolean) => void;
  /** Marks a reply helpful or takes the mark back (channels with gamification on). */
  onHelpful?: (m: AnyMessage, helpful: boolean) => void;
  onJump: (id: number) => void;
}

function ReplyPreview({ reply, onJump }: { reply: NonNullable<AnyMessage['reply_to']>; onJump: (id: number) => void }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className="cm-msg-replyto"
      onClick={() => onJump(reply.id)}
      aria-label={t('chat.reply_to', { name: reply.author.name })}
    >
      <span className="cm-msg-replyline" aria-hidden="true" />
      <Avatar name={reply.author.name} url={reply.author.avatar_url} size={16} />
      <strong>{reply.author.name}</strong>
      <span className="cm-msg-excerpt">{reply.excerpt ?? t('chat.reply_deleted')}</span>
    </button>
  );
}

function EditBox({ initial, onSave, onCancel }: { initial: string; onSave: (content: string) => Promise<unknown>; onCancel: () => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(initial);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    if (!text.trim() || busy) return;
    setBusy(true);
    try {
      await onSave(text);
    } finally {
      setBusy(false);
    }
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      onCancel();
    } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void save();
    }
  };
  return (
    <div className="cm-msg-edit">
      <textarea
        className="cm-input"
        aria-label={t('chat.edit_label')}
        value={text}
        rows={Math.min(8, text.split('\n').length + 1)}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
        autoFocus
        onFocus={(e) => e.currentTarget.setSelectionRange(e.currentTarget.value.length, e.currentTarget.value.length)}
      />
      <div className="cm-msg-edit-foot">
        <span className="cm-muted cm-small">{t('chat.edit_hint')}</span>
        <span className="cm-spacer" />
        <button type="button" className="cm-button cm-button--ghost cm-button--sm" onClick={onCancel}>
          {t('chat.cancel')}
        </button>
        <button type="button" className="cm-button cm-button--sm" disabled={busy || !text.trim()} onClick={() => void save()}>
          {t('chat.save')}
        </button>
      </div>
    </div>
  );
}

export function MessageItem({
  message: m,
  grouped,
  me,
  canPin,
  canReact,
  editing,
  highlighted,
  setEditing,
  actions,
}: {
  message: AnyMessage;
  grouped: boolean;
  me: number;
  canPin: boolean;
  canReact: boolean;
  editing: boolean;
  highlighted: boolean;
  setEditing: (id: number | null) => void;
  actions: MessageActions;
}) {
  const { t, i18n } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const mine = m.author.id === me;
  // Live messages get the viewer's rights in the chat store; our own are ours to change.
  const canEdit = !m.deleted && (m.viewer_can.edit || mine);
  const canDelete = !m.deleted && (m.viewer_can.delete || mine);
  const pinned = 'is_pinned' in m && m.is_pinned;
  const helpful = 'helpful' in m && m.helpful;
  const canMarkHelpful = 'mark_helpful' in m.viewer_can && m.viewer_can.mark_helpful && Boolean(actions.onHelpful);
  const mentionsMe = m.mentions.includes(me) || ('mention_everyone' in m && m.mention_everyone);
  const time = clockTime(m.created_at, i18n.language);
  const cls = [
    'cm-msg',
    grouped && 'cm-msg--grouped',
    mentionsMe && !mine && 'cm-msg--mention',
    highlighted && 'cm-msg--flash',
    pinned && 'cm-msg--pinned',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <article
      id={`cm-msg-${m.id}`}
      className={cls}
      tabIndex={-1}
      data-message-id={m.id}
      aria-label={`${m.author.name}, ${time}${m.content ? `: ${plainText(m.content, 80)}` : ''}`}
    >
      <div className="cm-msg-gutter">
        {grouped ? (
          <time className="cm-msg-hovertime" dateTime={m.created_at} title={fullDate(m.created_at, i18n.language)}>
            {time}
          </time>
        ) : (
          <Avatar name={m.author.name} url={m.author.avatar_url} size={38} />
        )}
      </div>
      <div className="cm-msg-body">
        {m.reply_to && <ReplyPreview reply={m.reply_to} onJump={actions.onJump} />}
        {!grouped && (
          <header className="cm-msg-head">
            <AuthorName user={m.author} className="cm-msg-author" />
            <time className="cm-msg-time" dateTime={m.created_at} title={fullDate(m.created_at, i18n.language)}>
              {time}
            </time>
            {pinned && <span className="cm-msg-pin">📌 {t('chat.pinned')}</span>}
          </header>
        )}
        {m.deleted ? (
          <p className="cm-msg-deleted">{t('chat.deleted')}</p>
        ) : editing ? (
          <EditBox
            initial={m.content ?? ''}
            onCancel={() => setEditing(null)}
            onSave={async (content) => {
              await actions.onEdit(m, content);
              setEditing(null);
            }}
          />
        ) : (
          m.content && (
            <div className="cm-msg-text">
              <RichText source={m.content} />
              {m.edited_at && (
                <span className="cm-msg-edited" title={fullDate(m.edited_at, i18n.language)}>
                  {t('chat.edited')}
                </span>
              )}
            </div>
          )
        )}
        <AttachmentList items={m.attachments} />
        {helpful && !m.deleted && (
          <span className="cm-helpful" title={t('gamification.helpful_title')}>
            <span aria-hidden="true">✓</span> {t('gamification.helpful')}
          </span>
        )}
        {m.reactions.length > 0 && <Reactions reactions={m.reactions} disabled={!canReact} more onToggle={(e) => actions.onReact(m, e)} />}
        {confirming && (
          <div className="cm-msg-confirm" role="alert">
            <span>{t('chat.delete_confirm')}</span>
            <button
              type="button"
              className="cm-button cm-button--danger cm-button--sm"
              onClick={() => {
                setConfirming(false);
                actions.onDelete(m);
              }}
            >
              {t('chat.delete')}
            </button>
            <button type="button" className="cm-button cm-button--ghost cm-button--sm" onClick={() => setConfirming(false)} autoFocus>
              {t('chat.cancel')}
            </button>
          </div>
        )}
      </div>
      {!m.deleted && !editing && (
        <div className="cm-msg-actions" role="toolbar" aria-label={t('chat.actions')}>
          {canReact && (
            <EmojiPicker
              label={t('chat.react')}
              trigger="☺︎"
              more
              triggerClass="cm-icon-btn"
              align="right"
              onPick={(e) => actions.onReact(m, e)}
            />
          )}
          <button
            type="button"
            className="cm-icon-btn"
            aria-label={t('chat.reply')}
            title={t('chat.reply')}
            onClick={() => actions.onReply(m)}
          >
            ↩
          </button>
          {canPin && actions.onPin && (
            <button
              type="button"
              className="cm-icon-btn"
              aria-label={pinned ? t('chat.unpin') : t('chat.pin')}
              title={pinned ? t('chat.unpin') : t('chat.pin')}
              onClick={() => actions.onPin!(m, !pinned)}
            >
              📌
            </button>
          )}
          {canMarkHelpful && (
            <button
              type="button"
              className="cm-icon-btn"
              aria-label={helpful ? t('gamification.unmark_helpful') : t('gamification.mark_helpful')}
              title={helpful ? t('gamification.unmark_helpful') : t('gamification.mark_helpful')}
              aria-pressed={helpful}
              onClick={() => actions.onHelpful!(m, !helpful)}
            >
              ✓
            </button>
          )}
          {canEdit && mine && (
            <button
              type="button"
              className="cm-icon-btn"
              aria-label={t('chat.edit')}
              title={t('chat.edit')}
              onClick={() => setEditing(m.id)}
            >
              ✎
            </button>
          )}
          {!mine && <ReportButton type={'thread_id' in m ? 'dm_message' : 'channel_message'} id={m.id} />}
          {canDelete && (
            <button
              type="button"
              className="cm-icon-btn cm-icon-btn--danger"
              aria-label={t('chat.delete')}
              title={t('chat.delete')}
              onClick={() => setConfirming(true)}
            >
              🗑
            </button>
          )}
        </div>
      )}
    </article>
  );
}

export function PendingItem({
  p,
  me,
  grouped,
  onRetry,
  onDiscard,
}: {
  p: PendingMessage;
  me: { name: string; avatar_url: string | null };
  grouped: boolean;
  onRetry: () => void;
  onDiscard: () => void;
}) {
  const { t, i18n } = useTranslation();
  return (
    <article
      className={`cm-msg cm-msg--pending${grouped ? ' cm-msg--grouped' : ''}${p.status === 'failed' ? ' cm-msg--failed' : ''}`}
      data-nonce={p.nonce}
    >
      <div className="cm-msg-gutter">{grouped ? null : <Avatar name={me.name} url={me.avatar_url} size={38} />}</div>
      <div className="cm-msg-body">
        {p.reply_to && <ReplyPreview reply={p.reply_to} onJump={() => {}} />}
        {!grouped && (
          <header className="cm-msg-head">
            <strong className="cm-msg-author">{me.name}</strong>
            <time className="cm-msg-time">{clockTime(p.created_at, i18n.language)}</time>
          </header>
        )}
        {p.content && p.status === 'failed' && rejectedSpans(p.error) ? (
          <RejectedText content={p.content} error={p.error} />
        ) : (
          p.content && (
            <div className="cm-msg-text">
              <RichText source={p.content} />
            </div>
          )
        )}
        {p.status === 'failed' && !rejectedSpans(p.error) && <RejectedText content={p.content ?? ''} error={p.error} />}
        <AttachmentList items={p.attachments} />
        {p.status === 'sending' ? (
          <span className="cm-msg-status cm-muted cm-small">{t('chat.sending')}</span>
        ) : p.status === 'waiting' ? (
          <span className="cm-msg-status cm-muted cm-small">{t('chat.waiting')}</span>
        ) : (
          <span className="cm-msg-status cm-msg-status--failed" role="alert">
            {t('chat.failed')}{' '}
            <button type="button" className="cm-link cm-link--inline" onClick={onRetry}>
              {t('chat.retry')}
            </button>
            <button type="button" className="cm-link cm-link--inline" onClick={onDiscard}>
              {t('chat.discard')}
            </button>
          </span>
        )}
      </div>
    </article>
  );
}
