import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Text, TextInput, View } from 'react-native';

import type { CommunitiesTheme } from '../../config';
import { useAddon } from '../../context';
import type { EditResult } from '@communities/client';
import { Button } from '../button';
import { useStyles } from '../use-styles';

const make = (t: CommunitiesTheme) => ({
  wrap: { gap: 6, marginTop: 2 },
  input: {
    minHeight: 40,
    maxHeight: 160,
    paddingHorizontal: 10,
    paddingVertical: 8,
    borderRadius: 8,
    borderWidth: 1,
    borderColor: t.primary,
    backgroundColor: t.surface,
    color: t.text,
    fontSize: 15,
  },
  row: { flexDirection: 'row' as const, justifyContent: 'flex-end' as const, gap: 8 },
  over: { fontSize: 12, color: t.danger },
});

/** A message edited in place: Save sends it (staying open if the server refuses), Cancel leaves it as it was. */
export function EditBox({
  initial,
  onSave,
  onCancel,
  label,
  maxLength,
}: {
  initial: string;
  /** What the input is called for screen readers (a message by default). */
  label?: string;
  /** The longest text allowed (the server's message limit by default). */
  maxLength?: number;
  onSave: (content: string) => Promise<EditResult>;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const { features } = useAddon();
  const [text, setText] = useState(initial);
  const [busy, setBusy] = useState(false);
  const over = text.trim().length - (maxLength ?? features?.limits.max_message_length ?? 4000);
  const save = async () => {
    setBusy(true);
    const result = await onSave(text);
    // A saved edit closes the box (unmounting it); otherwise it stays for another try.
    if (result !== 'saved') setBusy(false);
  };
  return (
    <View style={s.wrap} testID="edit-box">
      <TextInput
        style={s.input}
        value={text}
        onChangeText={setText}
        multiline
        autoFocus
        accessibilityLabel={label ?? t('chat.edit_label')}
        testID="edit-input"
      />
      {over > 0 ? <Text style={s.over}>{t('chat.too_long_message', { count: over })}</Text> : null}
      <View style={s.row}>
        <Button variant="secondary" label={t('feed.cancel')} onPress={onCancel} testID="edit-cancel" />
        <Button
          label={t('chat.save')}
          onPress={() => void save()}
          busy={busy}
          disabled={!text.trim() || over > 0 || text.trim() === initial.trim()}
          testID="edit-save"
        />
      </View>
    </View>
  );
}
