import { communityKeys } from '@communities/client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Pressable, Text, TextInput, View } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { useAddon } from '../context';

import { Button } from './button';
import { ReportForm } from './report-form';
import { Sheet } from './sheet';
import { useStyles } from './use-styles';

const DURATIONS = [10, 60, 1440, 0] as const;

const make = (t: CommunitiesTheme) => ({
  wrap: { padding: 8, gap: 10 },
  chips: { flexDirection: 'row' as const, flexWrap: 'wrap' as const, gap: 8 },
  chip: { paddingVertical: 6, paddingHorizontal: 12, borderRadius: 16, borderWidth: 1, borderColor: t.border },
  on: { backgroundColor: t.border },
  label: { fontSize: 15, color: t.text },
  input: { borderWidth: 1, borderColor: t.border, borderRadius: 8, padding: 10, color: t.text },
  row: { flexDirection: 'row' as const, flexWrap: 'wrap' as const, gap: 8 },
  note: { fontSize: 15, color: t.text },
});

type Kind = 'warn' | 'mute' | 'ban' | 'kick';

/**
 * A member's actions: Report for everyone; for moderators warn, mute or ban with a duration and
 * a reason, and kick (the server checks the hierarchy and answers 403 otherwise).
 */
export function MemberActionsSheet({
  communityId,
  communityNumericId,
  user,
  canModerate,
  onClose,
}: {
  communityId: string;
  communityNumericId?: number;
  user: { id: number; name: string };
  canModerate: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const { api } = useAddon();
  const qc = useQueryClient();
  const [reporting, setReporting] = useState(false);
  const [minutes, setMinutes] = useState<number>(10);
  const [reason, setReason] = useState('');
  const act = useMutation({
    mutationFn: async (kind: Kind) => {
      const params = { id: communityId, userId: user.id };
      const why = reason.trim();
      if (kind === 'warn') return api.moderation.warn({ params, body: { reason: why || t('moderation.warn_default') } });
      if (kind === 'kick') return api.communities.removeMember({ params, query: why ? { reason: why } : {} });
      return api.communities.updateMember({
        params,
        body: {
          status: kind === 'mute' ? 'muted' : 'banned',
          ...(why ? { reason: why } : {}),
          ...(minutes ? { duration_minutes: minutes } : {}),
        },
      });
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: communityKeys.all }),
  });
  return (
    <Sheet
      onClose={onClose}
      closeLabel={t('feed.cancel')}
      label={t('moderation.member_actions', { name: user.name })}
      testID={`member-actions-${user.id}`}
    >
      {reporting ? (
        <ReportForm type="user" id={user.id} {...(communityNumericId ? { communityId: communityNumericId } : {})} onDone={onClose} />
      ) : (
        <View style={s.wrap}>
          {canModerate ? (
            <>
              <View style={s.chips} accessibilityLabel={t('moderation.duration')}>
                {DURATIONS.map((d) => (
                  <Pressable
                    key={d}
                    style={[s.chip, minutes === d && s.on]}
                    accessibilityRole="radio"
                    accessibilityState={{ checked: minutes === d }}
                    testID={`duration-${d}`}
                    onPress={() => setMinutes(d)}
                  >
                    <Text style={s.label}>{t(`moderation.dur_${d}`)}</Text>
                  </Pressable>
                ))}
              </View>
              <TextInput
                style={s.input}
                value={reason}
                onChangeText={setReason}
                maxLength={500}
                placeholder={t('moderation.reason_prompt')}
                accessibilityLabel={t('moderation.reason_prompt')}
                testID="sanction-reason"
              />
              <View style={s.row}>
                {(['warn', 'mute', 'ban', 'kick'] as const).map((k) => (
                  <Button
                    key={k}
                    variant={k === 'warn' ? 'secondary' : 'danger'}
                    label={t(`moderation.${k}`)}
                    busy={act.isPending && act.variables === k}
                    disabled={act.isPending}
                    onPress={() => act.mutate(k)}
                    testID={`sanction-${k}`}
                  />
                ))}
              </View>
              {act.isSuccess ? (
                <Text style={s.note} accessibilityRole="alert" testID="sanction-done">
                  {t('moderation.applied', { name: user.name })}
                </Text>
              ) : null}
              {act.isError ? (
                <Text style={s.note} accessibilityRole="alert">
                  {t('moderation.action_failed')}
                </Text>
              ) : null}
            </>
          ) : null}
          <Button
            variant="secondary"
            label={`⚑ ${t('moderation.report')}`}
            onPress={() => setReporting(true)}
            testID={`report-member-${user.id}`}
          />
        </View>
      )}
    </Sheet>
  );
}
