import type { DmThread, UserSummary } from '@communities/contract';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { useAddon } from '../context';
import { errorKind, errorTextKey } from '../lib/errors';
import { DmStartError, useStartDmMutation } from '../state/queries/dm';

import { Button } from './button';
import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  notice: { margin: 8, padding: 12, gap: 10, borderRadius: 8, backgroundColor: '#fef3f2' },
  text: { color: t.text, fontSize: 14 },
  row: { flexDirection: 'row' as const, justifyContent: 'flex-end' as const, gap: 8 },
});

/** Starts (or reopens) a 1:1 conversation and hands the thread to the host to open. */
export function useStartDm(onOpenThread: ((thread: DmThread) => void) | undefined) {
  const { api, track } = useAddon();
  const mutation = useStartDmMutation();
  const { mutate, reset } = mutation;
  const start = useCallback(
    (person: UserSummary) => {
      track('tap', 'dm.start', { user_id: person.id });
      mutate(person, { onSuccess: (thread) => onOpenThread?.(thread) });
    },
    [mutate, onOpenThread, track],
  );
  const unblockAndStart = useCallback(
    (person: UserSummary) => {
      track('tap', 'dm.unblock', { user_id: person.id });
      reset();
      // If the unblock failed, the start says why.
      void api.dm
        .unblock({ params: { userId: person.id } })
        .catch(() => undefined)
        .then(() => start(person));
    },
    [api, reset, start, track],
  );
  return {
    start,
    unblockAndStart,
    /** Whose conversation is opening, for a busy button. */
    startingId: mutation.isPending ? mutation.variables.id : null,
    error: mutation.error,
    dismiss: reset,
  };
}

/** Why a conversation could not be opened, said kindly; a block of the caller's own can be undone here. */
export function StartDmNotice({
  error,
  onDismiss,
  onUnblock,
}: {
  error: unknown;
  onDismiss: () => void;
  onUnblock: (person: UserSummary) => void;
}) {
  const { t } = useTranslation();
  const s = useStyles(make);
  if (!error) return null;
  const refusal = error instanceof DmStartError ? error : null;
  return (
    <View style={s.notice} accessibilityRole="alert" testID="dm-start-error">
      <Text style={s.text}>
        {refusal ? t(`dm.refused_${refusal.code}`, { name: refusal.person.name }) : t(errorTextKey(errorKind(error)))}
      </Text>
      <View style={s.row}>
        <Button variant="secondary" label={t('common.dismiss')} onPress={onDismiss} testID="dm-start-dismiss" />
        {refusal?.code === 'you_blocked' ? (
          <Button label={t('dm.unblock_and_message')} onPress={() => onUnblock(refusal.person)} testID="dm-unblock" />
        ) : null}
      </View>
    </View>
  );
}
