import type { CommunityDetail } from '@communities/contract';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Text, TextInput, View } from 'react-native';

import { Avatar } from '../../components/avatar';
import { Button } from '../../components/button';
import { Chips } from '../../components/chips';
import { membershipAction, usePriceLabel } from '../../components/community-card';
import { ErrorBanner } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';

export type DetailTab = 'feed' | 'channels' | 'courses' | 'members' | 'leaderboard' | 'insights';

const make = (t: CommunitiesTheme) => ({
  header: { padding: 16, gap: 8, backgroundColor: t.surface, borderBottomWidth: 1, borderBottomColor: t.border },
  top: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 12 },
  name: { fontSize: 20, fontWeight: '700' as const, color: t.text },
  meta: { fontSize: 13, color: t.muted },
  description: { fontSize: 14, color: t.text, lineHeight: 20 },
  state: { flexDirection: 'row' as const, alignItems: 'center' as const, justifyContent: 'space-between' as const, gap: 8 },
  stateText: { fontSize: 13, color: t.text, flexShrink: 1 },
  ask: { gap: 8 },
  input: {
    borderWidth: 1,
    borderColor: t.border,
    borderRadius: 8,
    padding: 10,
    color: t.text,
    backgroundColor: t.background,
    minHeight: 64,
  },
  askRow: { flexDirection: 'row' as const, gap: 8, justifyContent: 'flex-end' as const },
});

export interface CommunityDetailViewProps {
  community: CommunityDetail;
  tabs: DetailTab[];
  tab: DetailTab;
  onTab: (tab: DetailTab) => void;
  /** `intro`: a requester's words to the owner, when the community asks for approval. */
  onMembership: (action: 'join' | 'leave' | 'subscribe', intro?: string) => void;
  membershipBusy: boolean;
  membershipError: unknown;
  onDismissMembershipError: () => void;
  children: ReactNode;
}

export function CommunityDetailView(p: CommunityDetailViewProps) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const price = usePriceLabel();
  const c = p.community;
  const action = membershipAction(c);
  const status = c.viewer_membership?.status;
  // Where joining is a request, the button opens a box for a few words to the owner first.
  const asks = action === 'join' && c.viewer_capabilities.join === 'request';
  const [asking, setAsking] = useState(false);
  const [intro, setIntro] = useState('');
  return (
    <View style={{ flex: 1 }}>
      <View style={s.header}>
        <View style={s.top}>
          <Avatar name={c.name} size={52} />
          <View style={{ flex: 1 }}>
            <Text style={s.name} accessibilityRole="header">
              {c.name}
            </Text>
            <Text style={s.meta}>
              {t(`visibility.${c.visibility}`)} · {t('discover.members', { count: c.member_count })} · {price(c.price)}
            </Text>
            <Text style={s.meta}>{t('community.owner', { name: c.owner.name })}</Text>
          </View>
        </View>
        {c.description ? <Text style={s.description}>{c.description}</Text> : null}
        <View style={s.state}>
          <Text style={s.stateText} testID="membership-state">
            {status ? t(`detail.status_${status}`) : t('detail.not_member')}
          </Text>
          {asks ? (
            asking ? null : (
              <Button label={t('membership.request')} onPress={() => setAsking(true)} testID="detail-join" />
            )
          ) : action === 'join' || action === 'subscribe' ? (
            <Button
              label={t(action === 'join' ? 'membership.join' : 'price.subscribe')}
              busy={p.membershipBusy}
              onPress={() => p.onMembership(action)}
              testID="detail-join"
            />
          ) : action ? (
            <Button
              variant="secondary"
              label={t(action === 'leave' ? 'membership.leave' : 'requests.cancel')}
              busy={p.membershipBusy}
              onPress={() => p.onMembership('leave')}
              testID="detail-leave"
            />
          ) : null}
        </View>
        {asks && asking ? (
          <View style={s.ask}>
            <TextInput
              style={s.input}
              value={intro}
              onChangeText={setIntro}
              multiline
              maxLength={1000}
              placeholder={t('requests.ask_intro')}
              accessibilityLabel={t('requests.ask_intro')}
              testID="detail-intro"
            />
            <View style={s.askRow}>
              <Button variant="secondary" label={t('feed.cancel')} onPress={() => setAsking(false)} testID="detail-intro-cancel" />
              <Button
                label={t('requests.send')}
                busy={p.membershipBusy}
                onPress={() => {
                  p.onMembership('join', intro.trim() || undefined);
                  setAsking(false);
                  setIntro('');
                }}
                testID="detail-send-request"
              />
            </View>
          </View>
        ) : null}
      </View>
      <ErrorBanner error={p.membershipError} onDismiss={p.onDismissMembershipError} />
      <Chips items={p.tabs.map((key) => ({ key, label: t(`detail.tab_${key}`) }))} value={p.tab} onChange={p.onTab} />
      <View style={{ flex: 1 }}>{p.children}</View>
    </View>
  );
}
