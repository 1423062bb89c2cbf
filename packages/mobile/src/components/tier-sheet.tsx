import { buyableTiers, formatPrice, joinLabelKey } from '@communities/client';
import type { CommunityDetail } from '@communities/contract';
import { useTranslation } from 'react-i18next';
import { Linking, Text } from 'react-native';

import type { CommunitiesTheme } from '../config';
import { useAddon } from '../context';
import { useCheckPurchaseMutation, useTiersQuery } from '../state/queries/communities';

import { Button } from './button';
import { Sheet } from './sheet';
import { ErrorState, Loading } from './states';
import { useStyles } from './use-styles';

const make = (t: CommunitiesTheme) => ({
  title: { fontSize: 17, fontWeight: '700' as const, color: t.text, marginBottom: 4 },
  tier: { fontSize: 14, color: t.text, marginTop: 8 },
  note: { fontSize: 12, color: t.muted, marginVertical: 8 },
  result: { fontSize: 13, color: t.text, marginTop: 6 },
});

/**
 * A paid community's tiers: "Join for £X/month" hands the tier's RocketLMS checkout to the host
 * app (`openCheckout`, else the system browser), and "Check my purchase" reads the user's sales
 * at once when they come back.
 */
export function TierSheet({ community, onClose }: { community: Pick<CommunityDetail, 'id' | 'name'>; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const s = useStyles(make);
  const { config, track } = useAddon();
  const id = String(community.id);
  const tiers = useTiersQuery(id);
  const check = useCheckPurchaseMutation();
  const offer = buyableTiers(tiers.data?.items ?? []);
  const found = check.data ? check.data.active_tier_ids.some((x) => offer.some((o) => o.id === x)) : false;
  return (
    <Sheet onClose={onClose} closeLabel={t('feed.cancel')} label={t('tiers.paid_title', { name: community.name })} testID="tier-sheet">
      <Text style={s.title} accessibilityRole="header">
        {t('tiers.paid_title', { name: community.name })}
      </Text>
      {tiers.status === 'pending' ? (
        <Loading />
      ) : tiers.status === 'error' ? (
        <ErrorState error={tiers.error} onRetry={() => void tiers.refetch()} />
      ) : offer.length === 0 ? (
        <Text style={s.note}>{t('tiers.none_yet')}</Text>
      ) : (
        offer.map((tier) => (
          <Button
            key={tier.id}
            testID={`buy-tier-${tier.id}`}
            label={t(joinLabelKey(tier.billing_interval), { price: formatPrice(tier.price_minor, tier.currency, i18n.language) })}
            accessibilityLabel={t('pricing.buy_title', { tier: tier.name })}
            onPress={() => {
              track('tap', 'communities.checkout', { community_id: community.id, tier_id: tier.id });
              const request = { url: tier.checkout_url!, communityId: community.id, tierId: tier.id, tierName: tier.name };
              if (config.openCheckout) config.openCheckout(request);
              else void Linking.openURL(request.url);
            }}
          />
        ))
      )}
      <Text style={s.note}>{t('pricing.checkout_note')}</Text>
      <Button
        variant="secondary"
        testID="check-purchase"
        label={t('pricing.check')}
        busy={check.isPending}
        onPress={() => check.mutate(id)}
      />
      {check.isSuccess ? (
        <Text style={s.result} accessibilityLiveRegion="polite" testID="check-result">
          {found ? t('pricing.check_found') : t('pricing.check_none')}
        </Text>
      ) : null}
      {check.isError ? <ErrorState error={check.error} onRetry={() => check.mutate(id)} /> : null}
    </Sheet>
  );
}
