import { isServable, type Attachment } from '@communities/contract';
import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';

import type { CommunitiesTheme } from '../../config';
import { useAddon } from '../../context';
import { absoluteUrl, useAuthHeaders } from '../../lib/use-auth-headers';
import { useStyles } from '../use-styles';

import { AuthImage } from './auth-image';

const make = (t: CommunitiesTheme) => ({
  list: { gap: 6, marginTop: 6 },
  file: {
    padding: 8,
    borderRadius: 8,
    borderWidth: 1,
    borderColor: t.border,
    backgroundColor: t.surface,
    alignSelf: 'flex-start' as const,
  },
  fileName: { fontSize: 13, color: t.text },
  fileMeta: { fontSize: 11, color: t.muted },
  image: { width: 240, maxWidth: '100%' as const, borderRadius: 8, backgroundColor: t.border },
});

/** A clean image's thumbnail, fetched with the user's token (files are served to those who may see them). */
function Thumbnail({ a }: { a: Attachment }) {
  const s = useStyles(make);
  const { config } = useAddon();
  const headers = useAuthHeaders();
  const aspectRatio = a.width && a.height ? a.width / a.height : 4 / 3;
  if (!headers || !a.thumbnail_url) return <View style={[s.image, { aspectRatio }]} />;
  return (
    <AuthImage
      uri={absoluteUrl(config.baseUrl, a.thumbnail_url)}
      headers={headers}
      style={[s.image, { aspectRatio }]}
      accessibilityLabel={a.original_name}
      testID={`thumbnail-${a.id}`}
    />
  );
}

/** Files of a message: clean images as thumbnails, other files by name; scanning and removed ones say so. */
export function Attachments({ items }: { items: Attachment[] }) {
  const { t } = useTranslation();
  const s = useStyles(make);
  if (items.length === 0) return null;
  return (
    <View style={s.list}>
      {items.map((a) => {
        const key = `${a.kind}-${a.id}`;
        const testID = `attachment-${a.id}`;
        if (isServable(a.scan_status) && a.is_image && a.thumbnail_url)
          return (
            <View key={key} testID={testID}>
              <Thumbnail a={a} />
            </View>
          );
        if (a.scan_status === 'infected' || a.scan_status === 'failed')
          return (
            <View key={key} style={s.file} testID={testID}>
              <Text style={s.fileMeta}>🚫 {t('chat.attachment_removed_scan')}</Text>
            </View>
          );
        return (
          <View key={key} style={s.file} testID={testID}>
            <Text style={s.fileName}>📎 {a.original_name}</Text>
            {a.scan_status === 'pending' ? <Text style={s.fileMeta}>{t('chat.attachment_scanning')}</Text> : null}
          </View>
        );
      })}
    </View>
  );
}
