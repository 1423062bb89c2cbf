import type { FeedComment } from '@communities/contract';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Pressable, Text, TextInput, View } from 'react-native';

import { Avatar } from '../../components/avatar';
import { EditBox } from '../../components/chat/edit-box';
import { ItemActionSheet, type SheetAction } from '../../components/item-actions';
import { AuthorLevel } from '../../components/level-chip';
import { Reactions } from '../../components/reactions';
import { RichText } from '../../components/rich-text';
import { HelpfulMark } from '../../components/helpful-mark';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useAddon } from '../../context';
import { errorKind, errorTextKey } from '../../lib/errors';
import { shortTime } from '../../lib/format';
import { newNonce } from '@communities/client';
import type { EditResult } from '@communities/client';
import { useCommentMutation, useMoreRepliesQuery, type CommentThread } from '../../state/queries/comments';

const MAX_COMMENT = 10_000;

const make = (t: CommunitiesTheme) => ({
  comment: { flexDirection: 'row' as const, gap: 10, paddingHorizontal: 14, paddingVertical: 8 },
  reply: { paddingStart: 52 },
  body: { flex: 1, gap: 2 },
  head: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 6 },
  author: { fontWeight: '600' as const, color: t.text, fontSize: 14 },
  meta: { fontSize: 12, color: t.muted },
  text: { fontSize: 14, color: t.text, lineHeight: 20 },
  tombstone: { fontSize: 14, color: t.muted, fontStyle: 'italic' as const },
  actions: { flexDirection: 'row' as const, gap: 14, marginTop: 2 },
  link: { fontSize: 12, fontWeight: '600' as const, color: t.primary, paddingVertical: 2 },
  more: { fontSize: 18, color: t.muted, marginStart: 'auto' as const, paddingHorizontal: 6 },
  composer: { borderTopWidth: 1, borderTopColor: t.border, backgroundColor: t.surface, padding: 8, gap: 6 },
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
  send: { height: 40, paddingHorizontal: 14, borderRadius: 20, backgroundColor: t.primary, justifyContent: 'center' as const },
  sendOff: { opacity: 0.4 },
  sendText: { color: t.onPrimary, fontWeight: '700' as const },
  banner: { flexDirection: 'row' as const, justifyContent: 'space-between' as const, paddingHorizontal: 8 },
  bannerText: { fontSize: 12, color: t.muted, flex: 1 },
  error: { fontSize: 12, color: t.danger, paddingHorizontal: 8 },
});

export interface CommentHandlers {
  canReply: boolean;
  canReact: boolean;
  onReply: (c: FeedComment) => void;
  onReact: (commentId: number, emoji: string) => void;
  /** Marks a comment helpful or takes the mark back (where the API grants it: mark_helpful). */
  onHelpful?: (commentId: number, helpful: boolean) => void;
  onSaveEdit: (commentId: number, content: string) => Promise<EditResult>;
  onDelete: (commentId: number) => void;
  /** The community whose levels show beside names (null: a site-wide post, no chip). */
  levelScope: number | null;
  /** Opens a comment's action sheet (rendered by the post screen, over all of it). */
  onMore: (c: FeedComment) => void;
  editingId: number | null;
  onCancelEdit: () => void;
}

/** What the viewer may do with a comment, as the API grants it: edit their own, delete their own (moderators any). */
export function CommentActionSheet({
  c,
  onEdit,
  onDelete,
  onClose,
}: {
  c: FeedComment;
  onEdit: () => void;
  onDelete: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { me } = useAddon();
  const mine = me?.id === c.author.id;
  const actions: SheetAction[] = [
    ...(c.viewer_can.edit ? [{ key: 'edit', glyph: '✏️', label: t('feed.edit'), onPress: onEdit }] : []),
    ...(c.viewer_can.delete
      ? [
          {
            key: 'delete',
            glyph: '🗑️',
            label: t('feed.delete'),
            onPress: onDelete,
            confirm: mine ? t('feed.delete_comment_confirm') : t('feed.delete_comment_confirm_theirs', { name: c.author.name }),
          },
        ]
      : []),
  ];
  return <ItemActionSheet label={t('feed.comment_actions')} testID={`comment-${c.id}`} actions={actions} onClose={onClose} />;
}

/** One comment or reply: tombstone once deleted, edit in place, actions as the API grants them. */
export function CommentRow({ c, isReply, h }: { c: FeedComment; isReply: boolean; h: CommentHandlers }) {
  const { t, i18n } = useTranslation();
  const s = useStyles(make);
  const editing = h.editingId === c.id;
  const hasActions = c.viewer_can.edit || c.viewer_can.delete;
  const markable = c.viewer_can.mark_helpful && h.onHelpful !== undefined;
  return (
    <View style={[s.comment, isReply && s.reply]} testID={`comment-${c.id}`}>
      <Avatar name={c.author.name} size={isReply ? 26 : 32} />
      <View style={s.body}>
        <View style={s.head}>
          <Text style={s.author}>{c.author.name}</Text>
          {h.levelScope !== null ? <AuthorLevel userId={c.author.id} communityId={h.levelScope} /> : null}
          <Text style={s.meta}>
            {shortTime(c.created_at, t, Date.now(), i18n.language)}
            {c.edited_at && !c.deleted ? ` ${t('chat.edited')}` : ''}
          </Text>
          {hasActions && !c.deleted ? (
            <Pressable
              style={s.more}
              onPress={() => h.onMore(c)}
              accessibilityRole="button"
              accessibilityLabel={t('feed.comment_actions')}
              testID={`comment-actions-${c.id}`}
              hitSlop={8}
            >
              <Text style={s.meta}>⋯</Text>
            </Pressable>
          ) : null}
        </View>
        {c.deleted || c.content === null ? (
          <Text style={s.tombstone}>{t('feed.deleted')}</Text>
        ) : editing ? (
          <EditBox
            initial={c.content}
            label={t('feed.edit_the_comment_label')}
            maxLength={MAX_COMMENT}
            onCancel={h.onCancelEdit}
            onSave={(content) => h.onSaveEdit(c.id, content)}
          />
        ) : (
          <RichText source={c.content} style={s.text} />
        )}
        {c.helpful && !c.deleted ? <HelpfulMark id={c.id} /> : null}
        {!c.deleted ? <Reactions reactions={c.reactions} onToggle={(e) => h.onReact(c.id, e)} canReact={h.canReact} /> : null}
        {!c.deleted && (h.canReply || h.canReact || markable) ? (
          <View style={s.actions}>
            {h.canReply ? (
              <Pressable onPress={() => h.onReply(c)} accessibilityRole="button" testID={`reply-comment-${c.id}`}>
                <Text style={s.link}>{t('feed.reply')}</Text>
              </Pressable>
            ) : null}
            {h.canReact && !c.reactions.some((r) => r.emoji === '👍' && r.me) ? (
              <Pressable onPress={() => h.onReact(c.id, '👍')} accessibilityRole="button" testID={`like-comment-${c.id}`}>
                <Text style={s.link}>{t('feed.like')}</Text>
              </Pressable>
            ) : null}
            {markable ? (
              <Pressable
                onPress={() => h.onHelpful!(c.id, !c.helpful)}
                accessibilityRole="button"
                accessibilityState={{ selected: c.helpful }}
                testID={`helpful-comment-${c.id}`}
              >
                <Text style={s.link}>{c.helpful ? t('gamification.unmark_helpful') : t('gamification.mark_helpful')}</Text>
              </Pressable>
            ) : null}
          </View>
        ) : null}
      </View>
    </View>
  );
}

/** A comment with its replies; replies past the first few load on request. */
export function Thread({ thread, h }: { thread: CommentThread; h: CommentHandlers }) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const [more, setMore] = useState(false);
  const extra = useMoreRepliesQuery(thread.id, more);
  const shown = more && extra.data ? extra.data.pages.flatMap((p) => p.items) : thread.replies;
  const hidden = thread.reply_count - shown.length;
  return (
    <View testID={`thread-${thread.id}`}>
      <CommentRow c={thread} isReply={false} h={h} />
      {shown.map((r) => (
        <CommentRow key={r.id} c={r} isReply h={h} />
      ))}
      {hidden > 0 && !(more && extra.hasNextPage === false) ? (
        <Pressable
          style={[s.comment, s.reply]}
          onPress={() => (more ? void extra.fetchNextPage() : setMore(true))}
          accessibilityRole="button"
          testID={`more-replies-${thread.id}`}
        >
          <Text style={s.link}>{t('feed.more_replies', { count: hidden })}</Text>
        </Pressable>
      ) : null}
    </View>
  );
}

/**
 * Writes a comment, or a reply while `replyTo` is set. A failed send keeps the text and says
 * why; trying again reuses the nonce, so a comment whose answer was lost is not posted twice.
 */
export function CommentComposer({
  communityId,
  itemId,
  replyTo,
  onCancelReply,
}: {
  communityId: string;
  itemId: number;
  replyTo: FeedComment | null;
  onCancelReply: () => void;
}) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const { track } = useAddon();
  const [text, setText] = useState('');
  const nonce = useRef(newNonce());
  const send = useCommentMutation(communityId, itemId);
  const over = text.trim().length - MAX_COMMENT;
  const canSend = !send.isPending && over <= 0 && text.trim().length > 0;
  const placeholder = replyTo ? t('feed.reply_placeholder') : t('feed.comment_placeholder');
  const submit = () => {
    track('tap', replyTo ? 'feed.reply' : 'feed.comment', { item_id: itemId });
    send.mutate(
      { content: text.trim(), parentId: replyTo?.id ?? null, nonce: nonce.current },
      {
        onSuccess: () => {
          setText('');
          nonce.current = newNonce();
          onCancelReply();
        },
      },
    );
  };
  return (
    <View style={s.composer}>
      {replyTo ? (
        <View style={s.banner} testID="comment-reply-banner">
          <Text style={s.bannerText} numberOfLines={1}>
            {t('chat.replying_to', { name: replyTo.author.name })}
          </Text>
          <Pressable onPress={onCancelReply} accessibilityRole="button" accessibilityLabel={t('chat.cancel_reply')}>
            <Text style={s.meta}>×</Text>
          </Pressable>
        </View>
      ) : null}
      {over > 0 ? <Text style={s.error}>{t('chat.too_long_message', { count: over })}</Text> : null}
      {send.isError ? (
        <Text style={s.error} accessibilityRole="alert" testID="comment-failed">
          {t('feed.comment_failed')} {t(errorTextKey(errorKind(send.error)))}
        </Text>
      ) : null}
      <View style={s.row}>
        <TextInput
          style={s.input}
          value={text}
          onChangeText={setText}
          placeholder={placeholder}
          accessibilityLabel={placeholder}
          multiline
          testID="comment-input"
        />
        <Pressable
          style={[s.send, !canSend && s.sendOff]}
          disabled={!canSend}
          onPress={submit}
          accessibilityRole="button"
          accessibilityLabel={t('chat.send')}
          accessibilityState={{ disabled: !canSend, busy: send.isPending }}
          testID="comment-send"
        >
          <Text style={s.sendText}>{t('chat.send')}</Text>
        </Pressable>
      </View>
    </View>
  );
}
