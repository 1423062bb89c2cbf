import type { FeedComment } from '@communities/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, FlatList, KeyboardAvoidingView, Platform, Pressable, Text, View } from 'react-native';

import { Empty, ErrorBanner, ErrorState } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useAddon } from '../../context';
import {
  useCommentsQuery,
  useDeleteCommentMutation,
  useHelpfulCommentMutation,
  useReactToCommentMutation,
  useUpdateCommentMutation,
  type CommentThread,
} from '../../state/queries/comments';

import { CommentActionSheet, CommentComposer, Thread, type CommentHandlers } from './comments';
import { PostCard, type PostCardProps } from './post-card';

const make = (t: CommunitiesTheme) => ({
  back: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 6, paddingHorizontal: 14, paddingVertical: 10 },
  backText: { fontSize: 15, color: t.primary, fontWeight: '600' as const },
  heading: { fontSize: 13, fontWeight: '700' as const, color: t.muted, paddingHorizontal: 14, paddingTop: 8 },
});

/**
 * A post with its comment threads (oldest first, paged as you scroll), a composer for comments
 * and replies, and the viewer's actions on each as the API grants them.
 */
export function PostDetail({
  communityId,
  card,
  onBack,
}: {
  communityId: string;
  /** The post's card as the feed list wires it (its action sheet stays with the list). */
  card: Omit<PostCardProps, 'pinned' | 'onOpen'>;
  onBack: () => void;
}) {
  const item = card.item;
  const { t } = useTranslation();
  const s = useStyles(make);
  const { track } = useAddon();
  const query = useCommentsQuery(item.id);
  const edit = useUpdateCommentMutation(item.id);
  const remove = useDeleteCommentMutation(item.id);
  const react = useReactToCommentMutation(item.id);
  const helpful = useHelpfulCommentMutation(item.id);
  const [replyTo, setReplyTo] = useState<FeedComment | null>(null);
  const [sheetFor, setSheetFor] = useState<FeedComment | null>(null);
  const [editingId, setEditingId] = useState<number | null>(null);
  const failure = edit.error ?? remove.error ?? react.error ?? helpful.error;
  const h: CommentHandlers = {
    canReply: item.viewer_can.comment,
    canReact: item.viewer_can.react,
    levelScope: item.community_id,
    onReply: (c) => {
      track('tap', 'feed.reply_to', { comment_id: c.id });
      setReplyTo(c);
    },
    onReact: (commentId, emoji) => react.mutate({ commentId, emoji }),
    onHelpful: (commentId, marked) => {
      track('tap', marked ? 'feed.mark_helpful' : 'feed.unmark_helpful', { comment_id: commentId });
      helpful.mutate({ commentId, helpful: marked });
    },
    onMore: (c) => setSheetFor(c),
    editingId,
    onCancelEdit: () => setEditingId(null),
    onSaveEdit: async (commentId, content) => {
      try {
        await edit.mutateAsync({ commentId, content });
        setEditingId(null);
        return 'saved';
      } catch {
        return 'failed';
      }
    },
    onDelete: (commentId) => {
      track('tap', 'feed.delete_comment', { comment_id: commentId });
      remove.mutate(commentId);
    },
  };
  const threads: CommentThread[] = query.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <KeyboardAvoidingView style={{ flex: 1 }} behavior={Platform.OS === 'ios' ? 'padding' : undefined} testID="post-detail">
      <Pressable style={s.back} onPress={onBack} accessibilityRole="button" testID="post-back">
        <Text style={s.backText}>‹ {t('feed.back')}</Text>
      </Pressable>
      <ErrorBanner
        error={failure}
        onDismiss={() => {
          edit.reset();
          remove.reset();
          react.reset();
          helpful.reset();
        }}
      />
      <FlatList
        testID="comment-list"
        data={threads}
        keyExtractor={(c) => String(c.id)}
        extraData={editingId}
        ListHeaderComponent={
          <View>
            <PostCard {...card} pinned={item.is_pinned} />
            <Text style={s.heading} accessibilityRole="header">
              {t('feed.comments', { count: item.comment_count })}
            </Text>
          </View>
        }
        renderItem={({ item: thread }) => <Thread thread={thread} h={h} />}
        refreshing={query.isRefetching && !query.isFetchingNextPage}
        onRefresh={() => void query.refetch()}
        onEndReached={() => {
          if (query.hasNextPage && !query.isFetchingNextPage) void query.fetchNextPage();
        }}
        onEndReachedThreshold={0.5}
        ListEmptyComponent={
          query.status === 'pending' ? (
            <ActivityIndicator style={{ padding: 16 }} testID="comments-loading" />
          ) : query.status === 'error' ? (
            <ErrorState error={query.error} onRetry={() => void query.refetch()} />
          ) : (
            <Empty text={t('feed.no_comments')} />
          )
        }
        ListFooterComponent={query.isFetchingNextPage ? <ActivityIndicator style={{ padding: 16 }} testID="loading-more" /> : null}
      />
      {sheetFor ? (
        <CommentActionSheet
          c={sheetFor}
          onEdit={() => setEditingId(sheetFor.id)}
          onDelete={() => h.onDelete(sheetFor.id)}
          onClose={() => setSheetFor(null)}
        />
      ) : null}
      {item.viewer_can.comment ? (
        <CommentComposer communityId={communityId} itemId={item.id} replyTo={replyTo} onCancelReply={() => setReplyTo(null)} />
      ) : null}
    </KeyboardAvoidingView>
  );
}
