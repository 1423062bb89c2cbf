import { useTranslation } from 'react-i18next';
import { Pressable, Text, View } from 'react-native';

import type { CommunitiesTheme } from '../../config';
import { errorKind, errorTextKey } from '../../lib/errors';
import { shortTime } from '../../lib/format';
import type { AnyMessage as ChatMessage, EditResult, PendingMessage } from '@communities/client';
import { Avatar } from '../avatar';
import { AuthorLevel } from '../level-chip';
import { Reactions } from '../reactions';
import { RichText } from '../rich-text';
import { HelpfulMark } from '../helpful-mark';
import { useStyles } from '../use-styles';

import { Attachments } from './attachments';
import { EditBox } from './edit-box';

const make = (t: CommunitiesTheme) => ({
  row: { flexDirection: 'row' as const, gap: 10, paddingHorizontal: 12, paddingVertical: 8 },
  selected: { backgroundColor: '#f2f4f7' },
  body: { flex: 1 },
  head: { flexDirection: 'row' as const, alignItems: 'baseline' as const, gap: 6 },
  author: { fontWeight: '600' as const, color: t.text, fontSize: 14 },
  time: { fontSize: 11, color: t.muted },
  text: { fontSize: 15, color: t.text, lineHeight: 21 },
  muted: { fontSize: 14, color: t.muted, fontStyle: 'italic' as const },
  reply: { borderStartWidth: 3, borderStartColor: t.border, paddingStart: 8, marginBottom: 4 },
  replyText: { fontSize: 12, color: t.muted },
  pending: { opacity: 0.6 },
  failed: { color: t.danger, fontSize: 12, marginTop: 4 },
  edited: { fontSize: 12, color: t.muted },
});

/** A message from the server; long-press opens its action sheet, or it is edited in place. */
export function MessageRow({
  message: m,
  editing,
  onOpenActions,
  onReact,
  onSaveEdit,
  onCancelEdit,
  levelScope,
}: {
  message: ChatMessage;
  editing: boolean;
  /** The community whose levels show beside names (channels); undefined: no chip (DMs). */
  levelScope?: number | undefined;
  onOpenActions: () => void;
  onReact: (emoji: string) => void;
  onSaveEdit: (content: string) => Promise<EditResult>;
  onCancelEdit: () => void;
}) {
  const { t, i18n } = useTranslation();
  const s = useStyles(make);
  const canReact = !m.deleted && (m.viewer_can?.react ?? true);
  const edited = m.edited_at && !m.deleted ? <Text style={s.edited}> {t('chat.edited')}</Text> : null;
  return (
    <Pressable
      style={[s.row, editing && s.selected]}
      onLongPress={m.deleted || editing ? undefined : onOpenActions}
      testID={`message-${m.id}`}
      accessibilityHint={m.deleted ? undefined : t('chat.actions_hint')}
      accessibilityActions={m.deleted ? undefined : [{ name: 'longpress', label: t('chat.actions') }]}
      onAccessibilityAction={(e) => e.nativeEvent.actionName === 'longpress' && onOpenActions()}
    >
      <Avatar name={m.author.name} />
      <View style={s.body}>
        <View style={s.head}>
          <Text style={s.author}>{m.author.name}</Text>
          {levelScope !== undefined ? <AuthorLevel userId={m.author.id} communityId={levelScope} /> : null}
          <Text style={s.time}>{shortTime(m.created_at, t, Date.now(), i18n.language)}</Text>
        </View>
        {m.reply_to ? (
          <View style={s.reply}>
            <Text style={s.replyText} numberOfLines={1}>
              {m.reply_to.author.name}: {m.reply_to.excerpt ?? t('chat.reply_deleted')}
            </Text>
          </View>
        ) : null}
        {m.deleted ? (
          <Text style={s.muted} testID="tombstone">
            {t('chat.deleted')}
          </Text>
        ) : editing ? (
          <EditBox initial={m.content ?? ''} onSave={onSaveEdit} onCancel={onCancelEdit} />
        ) : m.content ? (
          <RichText source={m.content} style={s.text} suffix={edited} />
        ) : (
          edited
        )}
        <Attachments items={m.attachments} />
        {'helpful' in m && m.helpful && !m.deleted ? <HelpfulMark id={m.id} /> : null}
        <Reactions reactions={m.reactions} onToggle={onReact} canReact={canReact} />
      </View>
    </Pressable>
  );
}

/** An optimistic send: shown greyed while sending, marked with a retry when it failed. */
export function PendingRow({ pending: p, author, onRetry }: { pending: PendingMessage; author: string; onRetry: () => void }) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const failed = p.status === 'failed';
  // Waiting for the connection: it goes by itself when the connection is back, or now on a tap.
  const waiting = p.status === 'waiting';
  // A refusal (403, 404, 422) will not pass on a retry; the network or the server may.
  const kind = failed ? errorKind(p.error) : null;
  const retryable = waiting || kind === 'offline' || kind === 'generic' || kind === 'rate_limited';
  const note = waiting
    ? `${t('chat.waiting')} ${t('chat.retry_button')}`
    : !failed
      ? null
      : retryable
        ? `${t('chat.failed')} ${t('chat.retry_button')}`
        : `${t('chat.failed')} ${t(errorTextKey(kind!))}`;
  const tappable = (failed || waiting) && retryable;
  return (
    <Pressable
      style={[s.row, !failed && s.pending]}
      onPress={tappable ? onRetry : undefined}
      disabled={!tappable}
      testID={`pending-${p.status}`}
      accessibilityRole={tappable ? 'button' : undefined}
      accessibilityLabel={note ?? undefined}
    >
      <Avatar name={author} />
      <View style={s.body}>
        <View style={s.head}>
          <Text style={s.author}>{author}</Text>
          <Text style={s.time}>{failed || waiting ? '' : t('chat.sending')}</Text>
        </View>
        {p.reply_to ? (
          <View style={s.reply}>
            <Text style={s.replyText} numberOfLines={1}>
              {p.reply_to.author.name}: {p.reply_to.excerpt ?? t('chat.reply_deleted')}
            </Text>
          </View>
        ) : null}
        {p.content ? <RichText source={p.content} style={s.text} /> : null}
        <Attachments items={p.attachments} />
        {note ? <Text style={s.failed}>{note}</Text> : null}
      </View>
    </Pressable>
  );
}
