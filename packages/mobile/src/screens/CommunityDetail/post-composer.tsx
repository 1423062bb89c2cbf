import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Pressable, Text, TextInput, View } from 'react-native';

import { Button } from '../../components/button';
import { UploadChips, usePickedUploads } from '../../components/picked-uploads';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useAddon } from '../../context';
import { errorKind, errorTextKey } from '../../lib/errors';
import { newNonce } from '@communities/client';
import { uploadPicked } from '../../lib/uploads';
import { useCreatePostMutation } from '../../state/queries/feed';

const MAX_POST = 20_000;

const make = (t: CommunitiesTheme) => ({
  wrap: { margin: 12, padding: 12, gap: 8, borderRadius: 12, borderWidth: 1, borderColor: t.border, backgroundColor: t.surface },
  input: { minHeight: 44, maxHeight: 160, fontSize: 15, color: t.text, paddingVertical: 6 },
  row: { flexDirection: 'row' as const, alignItems: 'center' as const, justifyContent: 'space-between' as const },
  icon: { width: 40, height: 36, alignItems: 'center' as const, justifyContent: 'center' as const },
  iconText: { fontSize: 20, color: t.muted },
  error: { fontSize: 13, color: t.danger },
  over: { fontSize: 12, color: t.danger },
});

/**
 * Writes a post: text and files from the host's picker (uploaded and scanned by the server).
 * A failed post keeps the draft, says why, and a second try reuses the draft's nonce, so a post
 * whose answer was lost is not published twice.
 */
export function PostComposer({ communityId, canAttach }: { communityId: string; canAttach: boolean }) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const { api, track } = useAddon();
  const [text, setText] = useState('');
  const nonce = useRef(newNonce());
  const files = usePickedUploads((file) => uploadPicked(api, file, { purpose: 'feed' }));
  const create = useCreatePostMutation(communityId);
  const over = text.trim().length - MAX_POST;
  const canPost = !create.isPending && !files.busy && over <= 0 && text.trim().length > 0;
  const post = () => {
    track('tap', 'feed.post', { attachments: files.ready.length });
    create.mutate(
      { post: { content: text.trim(), attachmentIds: files.ready.map((a) => a.id) }, nonce: nonce.current },
      {
        onSuccess: () => {
          setText('');
          files.clear();
          nonce.current = newNonce();
        },
      },
    );
  };
  return (
    <View style={s.wrap} testID="compose-post">
      <TextInput
        style={s.input}
        value={text}
        onChangeText={setText}
        placeholder={t('feed.compose_placeholder')}
        accessibilityLabel={t('feed.compose_placeholder')}
        multiline
        editable={!create.isPending}
        testID="compose-input"
      />
      <UploadChips uploads={files.uploads} onRemove={files.remove} />
      {over > 0 ? <Text style={s.over}>{t('chat.too_long_message', { count: over })}</Text> : null}
      {create.isError ? (
        <Text style={s.error} accessibilityRole="alert" testID="compose-failed">
          {t('feed.post_failed')} {t(errorTextKey(errorKind(create.error)))}
        </Text>
      ) : null}
      <View style={s.row}>
        {canAttach && files.canPick ? (
          <Pressable
            style={s.icon}
            onPress={() => {
              track('tap', 'feed.attach');
              void files.pick();
            }}
            accessibilityRole="button"
            accessibilityLabel={t('chat.attach')}
            testID="compose-attach"
          >
            <Text style={s.iconText}>📎</Text>
          </Pressable>
        ) : (
          <View />
        )}
        <Button label={t('feed.post')} onPress={post} busy={create.isPending} disabled={!canPost} testID="compose-send" />
      </View>
    </View>
  );
}
