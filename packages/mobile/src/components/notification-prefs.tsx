import { notificationScope } from '@communities/client';
import { NOTIFICATION_KINDS, NOTIFICATION_LEVELS, type NotificationLevel } from '@communities/contract';
import { useTranslation } from 'react-i18next';
import { Pressable, ScrollView, Switch, Text, View } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { useNotificationPrefsMutation, useNotificationPrefsQuery } from '../state/queries/notifications';

import { Button } from './button';
import { ErrorState, Loading } from './states';
import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  section: { gap: 8, padding: 16 },
  heading: { fontSize: 15, fontWeight: '700' as const, color: t.text, marginTop: 8 },
  label: { fontSize: 14, color: t.text },
  muted: { fontSize: 12, color: t.muted },
  levels: { flexDirection: 'row' as const, flexWrap: 'wrap' as const, gap: 8 },
  level: { paddingHorizontal: 12, paddingVertical: 6, borderRadius: 16, borderWidth: 1, borderColor: t.border, backgroundColor: t.surface },
  levelOn: { backgroundColor: t.primary, borderColor: t.primary },
  levelText: { color: t.text, fontSize: 13 },
  levelTextOn: { color: t.onPrimary },
  kind: { gap: 4, paddingVertical: 8, borderBottomWidth: 1, borderBottomColor: t.border },
  row: { flexDirection: 'row' as const, alignItems: 'center' as const, justifyContent: 'space-between' as const, gap: 12 },
  grow: { flex: 1 },
});

/** One of "as my default" (null, for a community or channel), everything, only @mentions, nothing. */
function LevelPicker({
  value,
  onChange,
  withDefault,
  label,
  disabled,
  testID,
}: {
  value: NotificationLevel | null;
  onChange: (level: NotificationLevel | null) => void;
  withDefault: boolean;
  label: string;
  disabled?: boolean;
  testID: string;
}) {
  const s = useStyles(make);
  const { t } = useTranslation();
  const choices: Array<NotificationLevel | null> = withDefault ? [null, ...NOTIFICATION_LEVELS] : [...NOTIFICATION_LEVELS];
  return (
    <View style={s.levels} accessibilityRole="radiogroup" accessibilityLabel={label}>
      {choices.map((l) => {
        const on = l === value;
        return (
          <Pressable
            key={l ?? 'default'}
            accessibilityRole="radio"
            accessibilityState={{ checked: on, disabled: Boolean(disabled) }}
            disabled={disabled}
            onPress={() => onChange(l)}
            style={[s.level, on && s.levelOn]}
            testID={`${testID}-${l ?? 'default'}`}
          >
            <Text style={[s.levelText, on && s.levelTextOn]}>{t(`notifications.prefs.level_${l ?? 'default'}`)}</Text>
          </Pressable>
        );
      })}
    </View>
  );
}

/**
 * The caller's notification preferences: the default level, each kind in the bell and in the
 * school's notification centre (off and fixed where the school turned it off), and the
 * communities and channels set apart from the default, with Unmute. Saves show at once.
 */
export function NotificationPrefsView() {
  const s = useStyles(make);
  const { t } = useTranslation();
  const prefs = useNotificationPrefsQuery();
  const save = useNotificationPrefsMutation();
  // A failed refetch (offline after a save) keeps what is shown; only nothing to show is an error.
  if (!prefs.data) return prefs.isError ? <ErrorState error={prefs.error} onRetry={() => void prefs.refetch()} /> : <Loading />;
  const p = prefs.data;
  return (
    <ScrollView contentContainerStyle={s.section} testID="notification-prefs">
      <Text style={s.heading} accessibilityRole="header">
        {t('notifications.prefs.default_level')}
      </Text>
      <LevelPicker
        value={p.level}
        withDefault={false}
        label={t('notifications.prefs.default_level')}
        onChange={(level) => level && save.mutate({ patch: { level } })}
        testID="notification-level"
      />
      {NOTIFICATION_KINDS.map((k) => (
        <View key={k} style={s.kind}>
          <Text style={s.label}>{t(`notifications.kinds.${k}`)}</Text>
          {(['in_app', 'host'] as const).map((where) => {
            const allowed = p.allowed[k][where];
            return (
              <View key={where} style={s.row}>
                <View style={s.grow}>
                  <Text style={s.muted}>{t(`notifications.prefs.${where}`)}</Text>
                  {!allowed && <Text style={s.muted}>{t('notifications.prefs.not_allowed')}</Text>}
                </View>
                <Switch
                  value={allowed && p.kinds[k][where]}
                  disabled={!allowed}
                  onValueChange={(on) => save.mutate({ patch: { kinds: { [k]: { [where]: on } } } })}
                  accessibilityLabel={`${t(`notifications.kinds.${k}`)}: ${t(`notifications.prefs.${where}`)}`}
                  testID={`notification-kind-${k}-${where}`}
                />
              </View>
            );
          })}
        </View>
      ))}
      {p.scopes.length > 0 && (
        <>
          <Text style={s.heading} accessibilityRole="header">
            {t('notifications.prefs.communities')}
          </Text>
          {p.scopes.map((sc) => (
            <View
              key={`${sc.community_id}:${sc.channel_id}`}
              style={[s.row, s.kind]}
              testID={`notification-scope-${sc.community_id}-${sc.channel_id}`}
            >
              <View style={s.grow}>
                <Text style={s.label}>
                  {sc.channel_name === null
                    ? sc.community_name
                    : t('notifications.prefs.scope_channel', { community: sc.community_name, channel: sc.channel_name })}
                </Text>
                <Text style={s.muted}>
                  {[sc.muted ? t('notifications.prefs.muted') : null, sc.level ? t(`notifications.prefs.level_${sc.level}`) : null]
                    .filter(Boolean)
                    .join(' · ')}
                </Text>
              </View>
              {sc.muted && (
                <Button
                  label={t('notifications.prefs.unmute')}
                  variant="secondary"
                  onPress={() =>
                    save.mutate({
                      patch: { community_id: sc.community_id, ...(sc.channel_id ? { channel_id: sc.channel_id } : {}), muted: false },
                    })
                  }
                  testID={`notification-unmute-${sc.community_id}-${sc.channel_id}`}
                />
              )}
            </View>
          ))}
        </>
      )}
    </ScrollView>
  );
}

/**
 * A community's (or a channel's) own level and mute, as Discord's channel bell: the channel
 * screen's bell opens one for the channel and one for its community. Saves show at once.
 */
export function ScopeNotificationControl({
  communityId,
  communityName,
  channelId,
  channelName,
}: {
  communityId: number;
  communityName: string;
  channelId?: number;
  channelName?: string;
}) {
  const s = useStyles(make);
  const { t } = useTranslation();
  const prefs = useNotificationPrefsQuery();
  const save = useNotificationPrefsMutation();
  const { scope, ids, names } = notificationScope(prefs.data, { communityId, communityName, channelId, channelName });
  const label = channelId
    ? t('notifications.prefs.this_channel', { name: channelName ?? '' })
    : t('notifications.prefs.this_community', { name: communityName });
  const id = channelId ? 'channel-notifications' : 'community-notifications';
  return (
    <View style={s.section} testID={id}>
      <Text style={s.heading}>{label}</Text>
      <Text style={s.muted}>{t('notifications.prefs.notify_about')}</Text>
      <LevelPicker
        value={scope?.level ?? null}
        withDefault
        disabled={!prefs.data}
        label={`${label}: ${t('notifications.prefs.notify_about')}`}
        onChange={(level) => save.mutate({ patch: { ...ids, level }, names })}
        testID={`${id}-level`}
      />
      <View style={s.row}>
        <Text style={s.label}>{t('notifications.prefs.mute')}</Text>
        <Switch
          value={scope?.muted ?? false}
          disabled={!prefs.data}
          onValueChange={(muted) => save.mutate({ patch: { ...ids, muted }, names })}
          accessibilityLabel={`${label}: ${t('notifications.prefs.mute')}`}
          testID={`${id}-mute`}
        />
      </View>
    </View>
  );
}
