import { ApiError } from '@communities/client';
import { REPORT_REASONS, type ReportTargetType } from '@communities/contract';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Pressable, Text, TextInput, View } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { useAddon } from '../context';

import { Button } from './button';
import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  wrap: { padding: 8, gap: 10 },
  title: { fontSize: 16, fontWeight: '600' as const, color: t.text },
  reason: { paddingVertical: 10, paddingHorizontal: 8, borderRadius: 8 },
  on: { backgroundColor: t.border },
  label: { fontSize: 16, color: t.text },
  input: { borderWidth: 1, borderColor: t.border, borderRadius: 8, padding: 10, color: t.text, minHeight: 60 },
  row: { flexDirection: 'row' as const, justifyContent: 'flex-end' as const, gap: 10 },
  note: { fontSize: 15, color: t.text },
});

/** Report a message, post, comment or member: a reason from the list, free text, then a confirmation. */
export function ReportForm({
  type,
  id,
  communityId,
  onDone,
}: {
  type: ReportTargetType;
  id: number;
  communityId?: number;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const { api } = useAddon();
  const [reason, setReason] = useState<(typeof REPORT_REASONS)[number]>('spam');
  const [note, setNote] = useState('');
  const report = useMutation({
    mutationFn: () =>
      api.moderation.report({
        body: {
          target_type: type,
          target_id: id,
          reason,
          ...(note.trim() ? { note: note.trim() } : {}),
          ...(communityId ? { community_id: communityId } : {}),
        },
      }),
  });
  const duplicate = report.error instanceof ApiError && report.error.status === 409;
  if (report.isSuccess || duplicate)
    return (
      <View style={s.wrap} testID="report-done">
        <Text style={s.note} accessibilityRole="alert">
          {duplicate ? t('moderation.report_duplicate') : t('moderation.report_sent')}
        </Text>
        <View style={s.row}>
          <Button label={t('moderation.done_note')} onPress={onDone} testID="report-close" />
        </View>
      </View>
    );
  return (
    <View style={s.wrap} testID="report-form">
      <Text style={s.title}>{t('moderation.report_what_title')}</Text>
      {REPORT_REASONS.map((r) => (
        <Pressable
          key={r}
          style={[s.reason, reason === r && s.on]}
          accessibilityRole="radio"
          accessibilityState={{ checked: reason === r }}
          testID={`reason-${r}`}
          onPress={() => setReason(r)}
        >
          <Text style={s.label}>{t(`moderation.reason_${r}`)}</Text>
        </Pressable>
      ))}
      <TextInput
        style={s.input}
        multiline
        maxLength={1000}
        value={note}
        onChangeText={setNote}
        placeholder={t('moderation.report_note')}
        accessibilityLabel={t('moderation.report_note')}
        testID="report-note"
      />
      {report.isError && !duplicate ? <Text accessibilityRole="alert">{t('moderation.report_failed')}</Text> : null}
      <View style={s.row}>
        <Button variant="secondary" label={t('feed.cancel')} onPress={onDone} testID="report-cancel" />
        <Button
          variant="danger"
          label={t('moderation.report_send')}
          busy={report.isPending}
          onPress={() => report.mutate()}
          testID="report-send"
        />
      </View>
    </View>
  );
}
