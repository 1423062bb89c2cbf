import type { Attachment, UserSummary } from '@communities/contract';
import { plainText } from '@communities/contract';
import { useEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';

import { insertMention, mentionQuery } from '../../lib/chat';
import { fileSize } from '../../lib/format';
import type { AnyMessage } from '@communities/client';
import { useUploadScanned } from '../../state/realtime';
import { Avatar } from '../avatar';
import { PlusIcon, SendIcon } from '../icons';
import { EmojiPicker } from '../reactions';

type Upload = { key: string; name: string; status: 'uploading' | 'done' | 'error'; attachment: Attachment | null; message?: string };
type MentionPick = { kind: 'user'; id: number; name: string; avatar_url: string | null } | { kind: 'everyone' };

export interface ComposerProps {
  name: string;
  maxLength: number;
  maxFiles: number;
  maxFileSize: number;
  canAttach: boolean;
  allowEveryone: boolean;
  upload: (file: File) => Promise<Attachment>;
  mentionSource: (q: string) => Promise<UserSummary[]>;
  replyTo: AnyMessage | null;
  onCancelReply: () => void;
  onSend: (input: { content: string; attachments: Attachment[] }) => void;
  onTyping: () => void;
  /** ArrowUp in an empty composer edits the viewer's last message (false when there is none). */
  onEditLast: () => boolean;
  inputRef: RefObject<HTMLTextAreaElement | null>;
}

export function Composer(p: ComposerProps) {
  const { t, i18n } = useTranslation();
  const [text, setText] = useState('');
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [mention, setMention] = useState<{ start: number; query: string } | null>(null);
  const [options, setOptions] = useState<MentionPick[]>([]);
  const [active, setActive] = useState(0);
  const file = useRef<HTMLInputElement>(null);
  const over = text.length - p.maxLength;
  const busy = uploads.some((u) => u.status === 'uploading');
  const ready = uploads.filter((u) => u.status === 'done' && u.attachment).map((u) => u.attachment!);
  const canSend = !busy && over <= 0 && (text.trim().length > 0 || ready.length > 0);
  const { mentionSource, allowEveryone } = p;

  useUploadScanned((a) =>
    setUploads((list) => list.map((u) => (u.attachment?.id === a.id && u.attachment.kind === a.kind ? { ...u, attachment: a } : u))),
  );

  useEffect(() => {
    if (!mention) return;
    let live = true;
    const timer = setTimeout(() => {
      void mentionSource(mention.query)
        .then((users) => {
          if (!live) return;
          const q = mention.query.toLowerCase();
          const list: MentionPick[] = users.slice(0, 8).map((u) => ({ kind: 'user', id: u.id, name: u.name, avatar_url: u.avatar_url }));
          if (allowEveryone && 'everyone'.startsWith(q)) list.push({ kind: 'everyone' });
          setOptions(list);
          setActive(0);
        })
        .catch(() => live && setOptions([]));
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [mention, mentionSource, allowEveryone]);

  const resize = (el: HTMLTextAreaElement) => {
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 220)}px`;
  };

  const onChange = (el: HTMLTextAreaElement) => {
    setText(el.value);
    resize(el);
    const q = mentionQuery(el.value, el.selectionStart);
    setMention((prev) => (q && (prev?.start !== q.start || prev.query !== q.query) ? q : q ? prev : null));
    if (!q) setOptions([]);
    if (el.value.trim()) p.onTyping();
  };

  const pick = (o: MentionPick) => {
    const el = p.inputRef.current;
    if (!el || !mention) return;
    const next = insertMention(text, mention.start, el.selectionStart, o);
    setText(next.text);
    setMention(null);
    setOptions([]);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(next.caret, next.caret);
      resize(el);
    });
  };

  const send = () => {
    if (!canSend) return;
    p.onSend({ content: text.trim(), attachments: ready });
    setText('');
    setUploads([]);
    setMention(null);
    setOptions([]);
    const el = p.inputRef.current;
    if (el) requestAnimationFrame(() => resize(el));
  };

  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (options.length > 0 && mention) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        pick(options[active]!);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setOptions([]);
        setMention(null);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      send();
    } else if (e.key === 'Escape' && p.replyTo) {
      e.preventDefault();
      p.onCancelReply();
    } else if (e.key === 'ArrowUp' && text === '' && p.onEditLast()) {
      e.preventDefault();
    }
  };

  const addFiles = (files: FileList | null) => {
    for (const f of [...(files ?? [])].slice(0, Math.max(0, p.maxFiles - uploads.length))) {
      const key = `${f.name}-${Date.now()}-${Math.random()}`;
      if (f.size > p.maxFileSize) {
        setUploads((l) => [
          ...l,
          {
            key,
            name: f.name,
            status: 'error',
            attachment: null,
            message: t('chat.too_large', { name: f.name, limit: fileSize(p.maxFileSize, i18n.language) }),
          },
        ]);
        continue;
      }
      setUploads((l) => [...l, { key, name: f.name, status: 'uploading', attachment: null }]);
      p.upload(f).then(
        (a) => setUploads((l) => l.map((u) => (u.key === key ? { ...u, status: 'done', attachment: a } : u))),
        () =>
          setUploads((l) =>
            l.map((u) => (u.key === key ? { ...u, status: 'error', message: t('chat.upload_failed', { name: f.name }) } : u)),
          ),
      );
    }
    if (file.current) file.current.value = '';
  };

  const listId = 'cm-mention-list';
  return (
    <div className="cm-compose">
      {p.replyTo && (
        <div className="cm-compose-reply">
          <span>
            {t('chat.replying_to', { name: p.replyTo.author.name })}
            <span className="cm-muted"> — {plainText(p.replyTo.content ?? '', 80)}</span>
          </span>
          <button type="button" className="cm-icon-btn" aria-label={t('chat.cancel_reply')} onClick={p.onCancelReply}>
            ✕
          </button>
        </div>
      )}
      {uploads.length > 0 && (
        <ul className="cm-compose-files">
          {uploads.map((u) => (
            <li key={u.key} className={`cm-compose-file cm-compose-file--${u.status}`}>
              <span aria-hidden="true">{u.status === 'error' ? '⚠️' : u.attachment?.is_image ? '🖼️' : '📎'}</span>
              <span className="cm-file-name">
                {u.status === 'uploading' ? t('chat.uploading', { name: u.name }) : u.status === 'error' ? u.message : u.name}
              </span>
              {u.status === 'done' && u.attachment?.scan_status === 'pending' && (
                <span className="cm-muted cm-small">{t('chat.attachment_pending')}</span>
              )}
              {u.status === 'done' && (u.attachment?.scan_status === 'infected' || u.attachment?.scan_status === 'failed') && (
                <span className="cm-small cm-danger">{t('chat.attachment_removed')}</span>
              )}
              <button
                type="button"
                className="cm-icon-btn"
                aria-label={t('chat.remove_attachment', { name: u.name })}
                onClick={() => setUploads((l) => l.filter((x) => x.key !== u.key))}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="cm-compose-box">
        {mention && options.length > 0 && (
          <ul className="cm-mentions" id={listId} role="listbox" aria-label={t('chat.mention_list')}>
            {options.map((o, i) => (
              <li
                key={o.kind === 'user' ? o.id : 'everyone'}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'cm-mention-opt cm-mention-opt--on' : 'cm-mention-opt'}
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(o);
                }}
              >
                {o.kind === 'user' ? (
                  <>
                    <Avatar name={o.name} url={o.avatar_url} size={22} /> {o.name}
                  </>
                ) : (
                  <>
                    <strong>@everyone</strong> <span className="cm-muted cm-small">{t('chat.mention_everyone')}</span>
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
        {p.canAttach && (
          <>
            <button
              type="button"
              className="cm-icon-btn cm-compose-attach"
              aria-label={t('chat.attach')}
              title={t('chat.attach')}
              onClick={() => file.current?.click()}
            >
              <PlusIcon />
            </button>
            <input ref={file} type="file" hidden multiple onChange={(e) => addFiles(e.target.files)} data-testid="composer-file" />
          </>
        )}
        <textarea
          ref={p.inputRef}
          className="cm-compose-input"
          rows={1}
          value={text}
          placeholder={t('chat.composer_placeholder', { name: p.name })}
          aria-label={t('chat.composer_label', { name: p.name })}
          aria-describedby="cm-compose-hint"
          aria-autocomplete="list"
          aria-controls={options.length > 0 ? listId : undefined}
          aria-activedescendant={options.length > 0 ? `${listId}-${active}` : undefined}
          onChange={(e) => onChange(e.currentTarget)}
          onKeyDown={onKey}
          onPaste={(e) => {
            if (p.canAttach && e.clipboardData.files.length > 0) {
              e.preventDefault();
              addFiles(e.clipboardData.files);
            }
          }}
        />
        <EmojiPicker
          label={t('chat.emoji')}
          trigger="☺︎"
          more
          triggerClass="cm-icon-btn"
          align="right"
          onPick={(emoji) => {
            const el = p.inputRef.current;
            const at = el?.selectionStart ?? text.length;
            const next = text.slice(0, at) + emoji + text.slice(at);
            setText(next);
            requestAnimationFrame(() => {
              el?.focus();
              el?.setSelectionRange(at + emoji.length, at + emoji.length);
            });
          }}
        />
        <button type="button" className="cm-send" aria-label={t('chat.send')} title={t('chat.send')} disabled={!canSend} onClick={send}>
          <SendIcon />
        </button>
      </div>
      <div className="cm-compose-foot" id="cm-compose-hint">
        {over > 0 ? <span className="cm-danger">{t('chat.too_long', { count: over })}</span> : <span>{t('chat.composer_hint')}</span>}
      </div>
    </div>
  );
}
