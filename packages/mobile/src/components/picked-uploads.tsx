import type { Attachment } from '@communities/contract';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Pressable, Text, View } from 'react-native';

import type { CommunitiesTheme, PickedFile } from '../config';
import { useAddon } from '../context';

import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  row: { flexDirection: 'row' as const, flexWrap: 'wrap' as const, gap: 6 },
  chip: {
    flexDirection: 'row' as const,
    gap: 6,
    paddingHorizontal: 10,
    paddingVertical: 4,
    borderRadius: 12,
    backgroundColor: t.background,
  },
  text: { fontSize: 12, color: t.text },
  failed: { color: t.danger },
});

interface Upload {
  key: number;
  name: string;
  status: 'uploading' | 'done' | 'failed';
  attachment?: Attachment;
}

/**
 * Files picked with the host's picker and uploaded at once (the server scans them; the post shows
 * "Scanning…" on a file until the verdict). `ready` are the uploaded ones, to send with the text.
 */
export function usePickedUploads(upload: (file: PickedFile) => Promise<Attachment>) {
  const { config } = useAddon();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const next = useRef(0);
  const pick = async () => {
    if (!config.pickAttachment) return;
    const file = await config.pickAttachment();
    if (!file) return;
    const key = ++next.current;
    setUploads((u) => [...u, { key, name: file.name, status: 'uploading' }]);
    try {
      const attachment = await upload(file);
      setUploads((u) => u.map((x) => (x.key === key ? { ...x, status: 'done', attachment } : x)));
    } catch {
      setUploads((u) => u.map((x) => (x.key === key ? { ...x, status: 'failed' } : x)));
    }
  };
  return {
    uploads,
    canPick: Boolean(config.pickAttachment),
    pick,
    ready: uploads.filter((u) => u.status === 'done').map((u) => u.attachment!),
    busy: uploads.some((u) => u.status === 'uploading'),
    remove: (key: number) => setUploads((all) => all.filter((x) => x.key !== key)),
    clear: () => setUploads([]),
  };
}

/** The picked files as chips: uploading, uploaded (scanning), or failed; tapping one removes it. */
export function UploadChips({ uploads, onRemove }: { uploads: Upload[]; onRemove: (key: number) => void }) {
  const { t } = useTranslation();
  const s = useStyles(make);
  if (uploads.length === 0) return null;
  return (
    <View style={s.row}>
      {uploads.map((u) => (
        <Pressable
          key={u.key}
          style={s.chip}
          onPress={() => onRemove(u.key)}
          accessibilityRole="button"
          accessibilityLabel={t('chat.remove_attachment', { name: u.name })}
          testID={`upload-${u.status}`}
        >
          <Text style={[s.text, u.status === 'failed' && s.failed]}>
            {u.status === 'uploading'
              ? t('chat.uploading', { name: u.name })
              : u.status === 'failed'
                ? t('chat.upload_failed_named', { name: u.name })
                : `📎 ${u.name}`}
          </Text>
          <Text style={s.text}>×</Text>
        </Pressable>
      ))}
    </View>
  );
}
