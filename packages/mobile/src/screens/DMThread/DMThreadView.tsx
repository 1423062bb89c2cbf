import type { DmMessage, DmThread } from '@communities/contract';
import { Text, View } from 'react-native';

import { ConversationView, type ConversationViewProps } from '../../components/chat/conversation-view';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { threadTitle } from '../../lib/threads';

const make = (t: CommunitiesTheme) => ({
  header: { paddingHorizontal: 16, paddingVertical: 10, backgroundColor: t.surface, borderBottomWidth: 1, borderBottomColor: t.border },
  name: { fontSize: 17, fontWeight: '700' as const, color: t.text },
});

export function DMThreadView({ thread, ...rest }: { thread: DmThread } & Omit<ConversationViewProps<DmMessage>, 'header'>) {
  const s = useStyles(make);
  const header = (
    <View style={s.header}>
      <Text style={s.name} accessibilityRole="header" numberOfLines={1}>
        {threadTitle(thread, rest.meId)}
      </Text>
    </View>
  );
  return <ConversationView<DmMessage> header={header} {...rest} />;
}
