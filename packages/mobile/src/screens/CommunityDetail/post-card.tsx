import type { FeedItem } from '@communities/contract';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Pressable, Text, View } from 'react-native';

import { Avatar } from '../../components/avatar';
import { Attachments } from '../../components/chat/attachments';
import { EditBox } from '../../components/chat/edit-box';
import { EmojiPicker } from '../../components/emoji-picker';
import { ItemActionSheet, type SheetAction } from '../../components/item-actions';
import { AuthorLevel } from '../../components/level-chip';
import { Reactions } from '../../components/reactions';
import { RichText } from '../../components/rich-text';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useAddon } from '../../context';
import { shortTime } from '../../lib/format';
import type { EditResult } from '@communities/client';

const make = (t: CommunitiesTheme) => ({
  post: {
    backgroundColor: t.surface,
    marginHorizontal: 12,
    marginVertical: 6,
    padding: 14,
    borderRadius: 12,
    borderWidth: 1,
    borderColor: t.border,
  },
  head: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 10, marginBottom: 8 },
  author: { fontWeight: '600' as const, color: t.text },
  nameRow: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 6 },
  meta: { fontSize: 12, color: t.muted },
  label: { fontSize: 11, fontWeight: '700' as const, color: t.primary, marginBottom: 4 },
  title: { fontSize: 16, fontWeight: '700' as const, color: t.text, marginBottom: 4 },
  body: { fontSize: 15, color: t.text, lineHeight: 21 },
  foot: { flexDirection: 'row' as const, alignItems: 'center' as const, justifyContent: 'space-between' as const, marginTop: 8 },
  link: { fontSize: 13, color: t.primary, fontWeight: '600' as const, padding: 4 },
  more: { fontSize: 18, color: t.muted, paddingHorizontal: 8 },
});

/** What the feed does with a post (the card and its action sheet call these). */
export interface PostHandlers {
  onReact: (emoji: string) => void;
  onSaveEdit: (content: string) => Promise<EditResult>;
  onDelete: () => void;
  onPin: (pinned: boolean) => void;
}

export interface PostCardProps {
  item: FeedItem;
  pinned: boolean;
  /** Opens the post with its comments (absent on the post's own screen). */
  onOpen?: () => void;
  onReact: (emoji: string) => void;
  /** Opens the post's action sheet (rendered by the list, over the whole screen). */
  onMore: () => void;
  editing: boolean;
  onSaveEdit: (content: string) => Promise<EditResult>;
  onCancelEdit: () => void;
}

/** What the viewer may do with a post, as the API grants it: edit their own, pin and delete as moderators. */
export function PostActionSheet({
  item,
  h,
  onEdit,
  onClose,
}: {
  item: FeedItem;
  h: PostHandlers;
  onEdit: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { me } = useAddon();
  const actions = postActions(item, me?.id === item.author.id, t, h, onEdit);
  return <ItemActionSheet label={t('feed.actions')} testID={`post-${item.id}`} actions={actions} onClose={onClose} />;
}

function postActions(item: FeedItem, mine: boolean, t: TFunction, h: PostHandlers, onEdit: () => void): SheetAction[] {
  return [
    ...(item.viewer_can.edit && item.content !== null ? [{ key: 'edit', glyph: '✏️', label: t('feed.edit'), onPress: onEdit }] : []),
    ...(item.viewer_can.pin
      ? [
          {
            key: item.is_pinned ? 'unpin' : 'pin',
            glyph: '📌',
            label: t(item.is_pinned ? 'feed.unpin' : 'feed.pin_short'),
            onPress: () => h.onPin(!item.is_pinned),
          },
        ]
      : []),
    ...(item.viewer_can.delete
      ? [
          {
            key: 'delete',
            glyph: '🗑️',
            label: t('feed.delete'),
            onPress: h.onDelete,
            confirm: mine ? t('feed.delete_confirm_yes') : t('feed.delete_confirm_theirs', { name: item.author.name }),
          },
        ]
      : []),
  ];
}

/** A feed post: author, text, files, reactions, comment count, and a ⋯ button where the viewer has actions. */
export function PostCard({ item, pinned, onOpen, onReact, onMore, editing, onSaveEdit, onCancelEdit }: PostCardProps) {
  const { t, i18n } = useTranslation();
  const s = useStyles(make);
  const [picking, setPicking] = useState(false);
  const hasActions = (item.viewer_can.edit && item.content !== null) || item.viewer_can.pin || item.viewer_can.delete;
  return (
    <View style={s.post} testID={`post-${item.id}`}>
      {pinned ? <Text style={s.label}>{t('feed.pinned')}</Text> : null}
      {item.type === 'announcement' ? <Text style={s.label}>{t('feed.announcement')}</Text> : null}
      <View style={s.head}>
        <Avatar name={item.author.name} />
        <View style={{ flex: 1 }}>
          <View style={s.nameRow}>
            <Text style={s.author}>{item.author.name}</Text>
            {item.community_id !== null ? <AuthorLevel userId={item.author.id} communityId={item.community_id} /> : null}
          </View>
          <Text style={s.meta}>
            {shortTime(item.created_at, t, Date.now(), i18n.language)}
            {item.edited_at ? ` ${t('chat.edited')}` : ''}
          </Text>
        </View>
        {hasActions ? (
          <Pressable
            onPress={onMore}
            accessibilityRole="button"
            accessibilityLabel={t('feed.actions')}
            testID={`more-post-${item.id}`}
            hitSlop={8}
          >
            <Text style={s.more}>⋯</Text>
          </Pressable>
        ) : null}
      </View>
      {item.title ? <Text style={s.title}>{item.title}</Text> : null}
      {editing ? (
        <EditBox
          initial={item.content ?? ''}
          label={t('feed.edit_post_label')}
          maxLength={20_000}
          onCancel={onCancelEdit}
          onSave={onSaveEdit}
        />
      ) : item.content === null ? (
        <Text style={s.meta}>{t('feed.removed')}</Text>
      ) : (
        <RichText source={item.content} style={s.body} />
      )}
      <Attachments items={item.attachments} />
      <Reactions reactions={item.reactions} onToggle={onReact} canReact={item.viewer_can.react} />
      <View style={s.foot}>
        {onOpen ? (
          <Pressable onPress={onOpen} accessibilityRole="button" testID={`open-post-${item.id}`} hitSlop={6}>
            <Text style={s.link}>{t('feed.comments', { count: item.comment_count })}</Text>
          </Pressable>
        ) : (
          <View />
        )}
        {item.viewer_can.react ? (
          <Pressable onPress={() => setPicking((v) => !v)} accessibilityRole="button" testID={`react-post-${item.id}`}>
            <Text style={s.link}>{t('chat.react_add')}</Text>
          </Pressable>
        ) : null}
      </View>
      {picking ? (
        <EmojiPicker
          testID={`picker-post-${item.id}`}
          onPick={(e) => {
            setPicking(false);
            onReact(e);
          }}
        />
      ) : null}
    </View>
  );
}
