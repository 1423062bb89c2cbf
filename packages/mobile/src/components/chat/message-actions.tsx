import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Pressable, Text, View } from 'react-native';

import type { CommunitiesTheme } from '../../config';
import type { AnyMessage as ChatMessage } from '@communities/client';
import { Button } from '../button';
import { EmojiPicker } from '../emoji-picker';
import { ReportForm } from '../report-form';
import { Sheet } from '../sheet';
import { useStyles } from '../use-styles';

const make = (t: CommunitiesTheme) => ({
  item: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 14, paddingVertical: 13, paddingHorizontal: 8 },
  glyph: { width: 24, textAlign: 'center' as const, fontSize: 18, color: t.muted },
  label: { fontSize: 16, color: t.text },
  danger: { color: t.danger },
  confirm: { padding: 8, gap: 14 },
  confirmText: { fontSize: 16, color: t.text },
  confirmRow: { flexDirection: 'row' as const, justifyContent: 'flex-end' as const, gap: 10 },
});

export type MessageAction = 'reply' | 'copy' | 'edit' | 'delete' | 'helpful';

export interface MessageActionSheetProps {
  /** The message the sheet is open for; null when closed. */
  message: ChatMessage | null;
  meId: number | undefined;
  onClose: () => void;
  onReact: (message: ChatMessage, emoji: string) => void;
  onAction: (message: ChatMessage, action: MessageAction) => void;
}

/** What the viewer may do with a message: own messages are theirs to edit and delete; moderators may delete others'. */
export function messageRights(m: ChatMessage, meId: number | undefined) {
  const mine = meId !== undefined && m.author.id === meId;
  return {
    react: !m.deleted && (m.viewer_can?.react ?? true),
    edit: !m.deleted && mine && m.content !== null,
    delete: !m.deleted && (mine || Boolean(m.viewer_can?.delete)),
    /** A reply the viewer asked about (or moderates), in a channel with gamification on. */
    helpful: !m.deleted && 'mark_helpful' in m.viewer_can && m.viewer_can.mark_helpful,
    mine,
  };
}

/**
 * The long-press sheet of a message: quick reactions, Reply, Copy, and Edit / Delete where the
 * viewer may; Delete asks first (inside the sheet: Alert is a no-op on react-native-web).
 */
export function MessageActionSheet({ message: m, meId, onClose, onReact, onAction }: MessageActionSheetProps) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const [confirming, setConfirming] = useState(false);
  const [reporting, setReporting] = useState(false);
  useEffect(() => {
    setConfirming(false);
    setReporting(false);
  }, [m?.id]);
  if (!m) return null;
  const can = messageRights(m, meId);
  const item = (action: MessageAction, glyph: string, label: string, danger = false) => (
    <Pressable
      key={action}
      style={s.item}
      accessibilityRole="button"
      accessibilityLabel={label}
      testID={`${action}-${m.id}`}
      onPress={() => {
        if (action === 'delete') return setConfirming(true);
        onClose();
        onAction(m, action);
      }}
    >
      <Text style={[s.glyph, danger && s.danger]}>{glyph}</Text>
      <Text style={[s.label, danger && s.danger]}>{label}</Text>
    </Pressable>
  );
  return (
    <Sheet onClose={onClose} closeLabel={t('feed.cancel')} label={t('chat.actions')} testID={`actions-${m.id}`}>
      {reporting ? (
        <ReportForm type={'thread_id' in m ? 'dm_message' : 'channel_message'} id={m.id} onDone={onClose} />
      ) : confirming ? (
        <View style={s.confirm} accessibilityRole="alert">
          <Text style={s.confirmText}>
            {can.mine ? t('chat.delete_confirm_everyone') : t('chat.delete_confirm_theirs', { name: m.author.name })}
          </Text>
          <View style={s.confirmRow}>
            <Button variant="secondary" label={t('feed.cancel')} onPress={onClose} testID="delete-cancel" />
            <Button
              variant="danger"
              label={t('chat.delete')}
              onPress={() => {
                onClose();
                onAction(m, 'delete');
              }}
              testID={`confirm-delete-${m.id}`}
            />
          </View>
        </View>
      ) : (
        <>
          {can.react ? (
            <EmojiPicker
              testID={`picker-${m.id}`}
              onPick={(emoji) => {
                onClose();
                onReact(m, emoji);
              }}
            />
          ) : null}
          {item('reply', '↩️', t('chat.reply'))}
          {m.content ? item('copy', '📋', t('chat.copy')) : null}
          {can.helpful
            ? item('helpful', '✅', 'helpful' in m && m.helpful ? t('gamification.unmark_helpful') : t('gamification.mark_helpful'))
            : null}
          {can.edit ? item('edit', '✏️', t('chat.edit')) : null}
          {can.delete ? item('delete', '🗑️', t('chat.delete'), true) : null}
          {!can.mine ? (
            <Pressable
              style={s.item}
              accessibilityRole="button"
              accessibilityLabel={t('moderation.report')}
              testID={`report-${m.id}`}
              onPress={() => setReporting(true)}
            >
              <Text style={[s.glyph, s.danger]}>⚑</Text>
              <Text style={[s.label, s.danger]}>{t('moderation.report')}</Text>
            </Pressable>
          ) : null}
        </>
      )}
    </Sheet>
  );
}
