import type { CommunityCard as Card } from '@communities/contract';
import { useTranslation } from 'react-i18next';
import { Pressable, Text, View } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { money } from '../lib/format';

import { Avatar } from './avatar';
import { Button } from './button';
import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  card: {
    backgroundColor: t.surface,
    borderRadius: 12,
    padding: 14,
    marginHorizontal: 12,
    marginVertical: 6,
    borderWidth: 1,
    borderColor: t.border,
    gap: 8,
  },
  head: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 10 },
  name: { fontSize: 16, fontWeight: '700' as const, color: t.text, flexShrink: 1 },
  meta: { fontSize: 12, color: t.muted },
  description: { fontSize: 14, color: t.text },
  foot: { flexDirection: 'row' as const, alignItems: 'center' as const, justifyContent: 'space-between' as const },
  badge: { fontSize: 11, color: t.primary, fontWeight: '700' as const },
});

/** The price line of a community, or "Free". */
export function usePriceLabel() {
  const { t, i18n } = useTranslation();
  return (price: Card['price']) =>
    price ? t(`price.${price.interval}`, { amount: money(price.amount_minor, price.currency, i18n.language) }) : t('price.free');
}

/** What the membership button says and does for the caller. */
export function membershipAction(c: Pick<Card, 'viewer_membership' | 'price'>): 'join' | 'subscribe' | 'leave' | 'cancel_request' | null {
  const m = c.viewer_membership;
  if (!m) return c.price ? 'subscribe' : 'join';
  if (m.status === 'pending') return 'cancel_request';
  if (m.role === 'owner' || m.status === 'banned') return null;
  return 'leave';
}

export function CommunityCard({
  community: c,
  onOpen,
  onMembership,
  busy,
}: {
  community: Card;
  onOpen: () => void;
  onMembership: (action: 'join' | 'leave' | 'subscribe') => void;
  busy: boolean;
}) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const price = usePriceLabel();
  const action = membershipAction(c);
  return (
    <Pressable style={s.card} onPress={onOpen} accessibilityRole="button" accessibilityLabel={c.name} testID={`community-${c.slug}`}>
      <View style={s.head}>
        <Avatar name={c.name} size={40} />
        <View style={{ flex: 1 }}>
          <Text style={s.name} numberOfLines={1}>
            {c.name}
          </Text>
          <Text style={s.meta}>
            {t('discover.members', { count: c.member_count })} · {t(`list.activity_${c.activity_level}`)} · {price(c.price)}
          </Text>
        </View>
        {c.is_featured ? <Text style={s.badge}>{t('admin.filter_featured')}</Text> : null}
      </View>
      {c.description ? (
        <Text style={s.description} numberOfLines={2}>
          {c.description}
        </Text>
      ) : null}
      <View style={s.foot}>
        <Text style={s.meta}>{c.viewer_membership?.status === 'active' ? t('membership.member') : (c.category ?? '')}</Text>
        {action === 'join' || action === 'subscribe' ? (
          <Button
            label={t(action === 'join' ? 'membership.join' : 'price.subscribe')}
            busy={busy}
            onPress={() => onMembership(action)}
            testID={`join-${c.slug}`}
          />
        ) : action ? (
          <Button
            variant="secondary"
            label={t(action === 'leave' ? 'membership.leave' : 'requests.cancel')}
            busy={busy}
            onPress={() => onMembership('leave')}
            testID={`leave-${c.slug}`}
          />
        ) : null}
      </View>
    </Pressable>
  );
}
