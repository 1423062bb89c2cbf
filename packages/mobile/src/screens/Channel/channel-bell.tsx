import { channelMuted } from '@communities/client';
import type { Channel } from '@communities/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Pressable, Text } from 'react-native';

import { ScopeNotificationControl } from '../../components/notification-prefs';
import { Sheet } from '../../components/sheet';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useNotificationPrefsQuery } from '../../state/queries/notifications';

const make = (t: CommunitiesTheme) => ({
  bell: { padding: 8, borderRadius: 16 },
  glyph: { fontSize: 18, color: t.text },
});

/**
 * The channel header's bell, as Discord's: this channel's and its community's level and mute in a
 * sheet. The glyph shows a mute at a glance.
 */
export function ChannelBell({ channel, communityName }: { channel: Channel; communityName: string }) {
  const s = useStyles(make);
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const prefs = useNotificationPrefsQuery();
  const muted = channelMuted(prefs.data, channel);
  const label = t('notifications.prefs.channel_bell', { name: channel.name });
  return (
    <>
      <Pressable
        style={s.bell}
        accessibilityRole="button"
        accessibilityLabel={label}
        accessibilityState={{ expanded: open }}
        onPress={() => setOpen(true)}
        testID="channel-bell"
      >
        <Text style={s.glyph}>{muted ? '🔕' : '🔔'}</Text>
      </Pressable>
      {open && (
        <Sheet onClose={() => setOpen(false)} closeLabel={t('gamification.close')} label={label} testID="channel-bell-sheet">
          <ScopeNotificationControl
            communityId={channel.community_id}
            communityName={communityName}
            channelId={channel.id}
            channelName={channel.name}
          />
          <ScopeNotificationControl communityId={channel.community_id} communityName={communityName} />
        </Sheet>
      )}
    </>
  );
}
