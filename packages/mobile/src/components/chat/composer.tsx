import type { Attachment, UserSummary } from '@communities/contract';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Pressable, Text, TextInput, View } from 'react-native';

import type { CommunitiesTheme, PickedFile } from '../../config';
import { useAddon } from '../../context';
import { mentionMarkup } from '../../lib/markdown';
import type { ReplyPreview, SendResult } from '@communities/client';
import { Avatar } from '../avatar';
import { Button } from '../button';
import { EmojiPicker } from '../emoji-picker';
import { ErrorBanner } from '../states';
import { useStyles } from '../use-styles';

const make = (t: CommunitiesTheme) => ({
  wrap: { borderTopWidth: 1, borderTopColor: t.border, backgroundColor: t.surface, padding: 8, gap: 6 },
  row: { flexDirection: 'row' as const, alignItems: 'flex-end' as const, gap: 6 },
  input: {
    flex: 1,
    minHeight: 40,
    maxHeight: 120,
    paddingHorizontal: 12,
    paddingVertical: 9,
    borderRadius: 20,
    backgroundColor: t.background,
    color: t.text,
    fontSize: 15,
  },
  icon: { width: 40, height: 40, alignItems: 'center' as const, justifyContent: 'center' as const },
  iconText: { fontSize: 20, color: t.muted },
  send: { height: 40, paddingHorizontal: 14, borderRadius: 20, backgroundColor: t.primary, justifyContent: 'center' as const },
  sendOff: { opacity: 0.4 },
  sendText: { color: t.onPrimary, fontWeight: '700' as const },
  banner: { flexDirection: 'row' as const, justifyContent: 'space-between' as const, paddingHorizontal: 8 },
  bannerText: { fontSize: 12, color: t.muted, flex: 1 },
  over: { fontSize: 12, color: t.danger, paddingHorizontal: 8 },
  chip: {
    flexDirection: 'row' as const,
    gap: 6,
    paddingHorizontal: 10,
    paddingVertical: 4,
    borderRadius: 12,
    backgroundColor: t.background,
  },
  chipText: { fontSize: 12, color: t.text },
  chipFailed: { color: t.danger },
  suggestion: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 8, padding: 6 },
  readOnlyWrap: {
    alignItems: 'center' as const,
    gap: 8,
    paddingBottom: 10,
    backgroundColor: t.surface,
    borderTopWidth: 1,
    borderTopColor: t.border,
  },
  readOnly: { padding: 14, paddingBottom: 4, textAlign: 'center' as const, color: t.muted, backgroundColor: t.surface },
  notice: { fontSize: 12, color: t.text, paddingHorizontal: 8 },
});

interface Upload {
  key: number;
  name: string;
  status: 'uploading' | 'done' | 'failed';
  attachment?: Attachment;
}

const MENTION_QUERY = /(^|\s)@([\p{L}\p{N}_.-]{1,30})$/u;

export interface ComposerProps {
  placeholder: string;
  /** Null when the caller may post; otherwise why not (shown instead of the composer). */
  readOnlyReason: string | null;
  /** What the caller can do about it (Join), shown with the reason. */
  readOnlyAction?: { label: string; onPress: () => void; busy: boolean; error: unknown };
  /** A passing notice above the input (slow mode's countdown). */
  notice?: string | null;
  onSend: (input: { content: string; replyTo: ReplyPreview | null; attachments: Attachment[] }) => SendResult;
  replyTo: ReplyPreview | null;
  onCancelReply: () => void;
  /** Present when the host gave a picker and the caller may attach here. */
  upload?: (file: PickedFile) => Promise<Attachment>;
  /** People to suggest after "@" (channel members, thread participants). */
  mentionSearch?: (q: string) => Promise<UserSummary[]>;
  /** Called as the user types (throttled by the caller), for "… is typing". */
  onTyping?: () => void;
  /** A local check before sending (the server still decides): a warning to show, or null. */
  check?: (text: string) => string | null;
}

export function Composer(p: ComposerProps) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const { features, config, track } = useAddon();
  const [text, setText] = useState('');
  const [emoji, setEmoji] = useState(false);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [suggestions, setSuggestions] = useState<UserSummary[]>([]);
  const uploadKey = useRef(0);
  const maxLength = features?.limits.max_message_length ?? 4000;
  const over = text.trim().length - maxLength;
  const mentionQuery = MENTION_QUERY.exec(text)?.[2] ?? null;
  const { mentionSearch } = p;

  useEffect(() => {
    if (!mentionQuery || !mentionSearch) {
      setSuggestions([]);
      return;
    }
    let live = true;
    const id = setTimeout(() => {
      mentionSearch(mentionQuery)
        .then((people) => live && setSuggestions(people.slice(0, 5)))
        .catch(() => live && setSuggestions([]));
    }, 250);
    return () => {
      live = false;
      clearTimeout(id);
    };
  }, [mentionQuery, mentionSearch]);

  if (p.readOnlyReason) {
    return (
      <View style={s.readOnlyWrap}>
        <Text style={s.readOnly} testID="composer-read-only">
          {p.readOnlyReason}
        </Text>
        {p.readOnlyAction ? (
          <>
            <Button label={p.readOnlyAction.label} onPress={p.readOnlyAction.onPress} busy={p.readOnlyAction.busy} testID="composer-join" />
            <ErrorBanner error={p.readOnlyAction.error} />
          </>
        ) : null}
      </View>
    );
  }

  const ready = uploads.filter((u) => u.status === 'done').map((u) => u.attachment!);
  const busy = uploads.some((u) => u.status === 'uploading');
  const canSend = over <= 0 && !busy && (text.trim().length > 0 || ready.length > 0);

  const send = () => {
    const result = p.onSend({ content: text, replyTo: p.replyTo, attachments: ready });
    if (result !== 'sent') return;
    track('tap', 'chat.send', { attachments: ready.length, reply: Boolean(p.replyTo) });
    setText('');
    setUploads([]);
    setEmoji(false);
    p.onCancelReply();
  };

  const attach = async () => {
    const upload = p.upload;
    if (!upload || !config.pickAttachment) return;
    track('tap', 'chat.attach');
    const file = await config.pickAttachment();
    if (!file) return;
    const key = ++uploadKey.current;
    setUploads((u) => [...u, { key, name: file.name, status: 'uploading' }]);
    try {
      const attachment = await upload(file);
      setUploads((u) => u.map((x) => (x.key === key ? { ...x, status: 'done', attachment } : x)));
    } catch {
      setUploads((u) => u.map((x) => (x.key === key ? { ...x, status: 'failed' } : x)));
    }
  };

  const pickMention = (person: UserSummary) => {
    setText((current) => current.replace(MENTION_QUERY, (_m, space: string) => `${space}${mentionMarkup(person.name, person.id)} `));
    setSuggestions([]);
  };

  return (
    <View style={s.wrap}>
      {p.replyTo ? (
        <View style={s.banner} testID="reply-banner">
          <Text style={s.bannerText} numberOfLines={1}>
            {t('chat.replying_to', { name: p.replyTo.author.name })}
          </Text>
          <Pressable onPress={p.onCancelReply} accessibilityRole="button" accessibilityLabel={t('chat.cancel_reply')}>
            <Text style={s.iconText}>×</Text>
          </Pressable>
        </View>
      ) : null}
      {suggestions.length > 0 ? (
        <View accessibilityLabel={t('chat.mention_suggestions')} testID="mention-suggestions">
          {suggestions.map((person) => (
            <Pressable
              key={person.id}
              style={s.suggestion}
              onPress={() => pickMention(person)}
              accessibilityRole="button"
              testID={`mention-${person.id}`}
            >
              <Avatar name={person.name} size={24} />
              <Text style={s.chipText}>{person.name}</Text>
            </Pressable>
          ))}
        </View>
      ) : null}
      {uploads.length > 0 ? (
        <View style={[s.row, { flexWrap: 'wrap' }]}>
          {uploads.map((u) => (
            <Pressable
              key={u.key}
              style={s.chip}
              onPress={() => setUploads((all) => all.filter((x) => x.key !== u.key))}
              accessibilityRole="button"
              accessibilityLabel={t('chat.remove_attachment', { name: u.name })}
              testID={`upload-${u.status}`}
            >
              <Text style={[s.chipText, u.status === 'failed' && s.chipFailed]}>
                {u.status === 'uploading'
                  ? t('chat.uploading', { name: u.name })
                  : u.status === 'failed'
                    ? t('chat.upload_failed_named', { name: u.name })
                    : `📎 ${u.name}`}
              </Text>
              <Text style={s.chipText}>×</Text>
            </Pressable>
          ))}
        </View>
      ) : null}
      {p.notice ? (
        <Text style={s.notice} accessibilityRole="text" accessibilityLiveRegion="polite" testID="slow-mode">
          ⏱ {p.notice}
        </Text>
      ) : null}
      {emoji ? <EmojiPicker testID="composer-emoji" onPick={(e) => setText((v) => v + e)} /> : null}
      {p.check?.(text) ? (
        <Text style={s.over} testID="composer-warning">
          {p.check(text)}
        </Text>
      ) : null}
      {over > 0 ? (
        <Text style={s.over} testID="too-long">
          {t('chat.too_long_message', { count: over })}
        </Text>
      ) : null}
      <View style={s.row}>
        {p.upload && config.pickAttachment ? (
          <Pressable
            style={s.icon}
            onPress={() => void attach()}
            accessibilityRole="button"
            accessibilityLabel={t('chat.attach')}
            testID="attach"
          >
            <Text style={s.iconText}>📎</Text>
          </Pressable>
        ) : null}
        <Pressable
          style={s.icon}
          onPress={() => setEmoji((v) => !v)}
          accessibilityRole="button"
          accessibilityLabel={t('chat.emoji_insert')}
          testID="emoji-toggle"
        >
          <Text style={s.iconText}>☺</Text>
        </Pressable>
        <TextInput
          style={s.input}
          value={text}
          onChangeText={(value) => {
            setText(value);
            if (value.trim()) p.onTyping?.();
          }}
          placeholder={p.placeholder}
          accessibilityLabel={p.placeholder}
          multiline
          testID="composer-input"
        />
        <Pressable
          style={[s.send, !canSend && s.sendOff]}
          disabled={!canSend}
          onPress={send}
          accessibilityRole="button"
          accessibilityLabel={t('chat.send')}
          accessibilityState={{ disabled: !canSend }}
          testID="send"
        >
          <Text style={s.sendText}>{t('chat.send')}</Text>
        </Pressable>
      </View>
    </View>
  );
}
