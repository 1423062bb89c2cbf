import type { Channel, ChannelMessage } from '@communities/contract';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';

import { ConversationView, type ConversationViewProps } from '../../components/chat/conversation-view';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';

const make = (t: CommunitiesTheme) => ({
  header: {
    flexDirection: 'row' as const,
    alignItems: 'center' as const,
    gap: 8,
    paddingHorizontal: 16,
    paddingVertical: 10,
    backgroundColor: t.surface,
    borderBottomWidth: 1,
    borderBottomColor: t.border,
  },
  title: { flex: 1 },
  name: { fontSize: 17, fontWeight: '700' as const, color: t.text },
  topic: { fontSize: 12, color: t.muted, marginTop: 2 },
});

export function ChannelView({
  channel,
  headerAction,
  ...rest
}: { channel: Channel; /** At the header's end: the notifications bell. */ headerAction?: ReactNode } & Omit<
  ConversationViewProps<ChannelMessage>,
  'header'
>) {
  const s = useStyles(make);
  const { t } = useTranslation();
  const header = (
    <View style={s.header}>
      <View style={s.title}>
        <Text style={s.name} accessibilityRole="header">
          {channel.type === 'announcement' ? '📣 ' : '# '}
          {channel.name}
        </Text>
        {channel.topic ? <Text style={s.topic}>{channel.topic}</Text> : null}
        {channel.is_private ? <Text style={s.topic}>{t('visibility.private')}</Text> : null}
      </View>
      {headerAction}
    </View>
  );
  return <ConversationView<ChannelMessage> header={header} {...rest} />;
}
