import { ApiError, buyableTiers, channelKeys, communityKeys, feedKeys, formatPrice, joinLabelKey } from '@communities/client';
import { REALTIME_EVENT_SCHEMAS, REALTIME_EVENTS, realtimeChannel, type Channel, type RealtimeEventData } from '@communities/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { useCheckPurchaseMutation, useTierRevenueQuery, useTiersQuery } from '../state/queries/communities';
import { useFeatures } from '../state/session';
import { useRealtime, useRealtimeEvent } from '../state/realtime';

/**
 * "Join for £X/month": each paid tier sold through RocketLMS links to RocketLMS's own page for the
 * item (its checkout), and "Check my purchase" reads the viewer's sales at once on their return.
 * `only` narrows the offer to the tiers a locked channel needs.
 */
export function BuyTiers({ slug, only }: { slug: string; only?: readonly number[] }) {
  const { t, i18n } = useTranslation();
  const tiers = useTiersQuery(slug);
  const check = useCheckPurchaseMutation();
  const offer = buyableTiers(tiers.data?.items ?? []).filter((x) => !only || only.includes(x.id));
  if (offer.length === 0) return null;
  const held = check.data?.active_tier_ids ?? [];
  return (
    <div className="cm-buy" data-testid="buy-tiers">
      {offer.map((tier) => (
        <a
          key={tier.id}
          className="cm-button cm-buy-link"
          href={tier.checkout_url!}
          data-testid="buy-tier"
          title={t('pricing.buy_title', { tier: tier.name })}
        >
          {t(joinLabelKey(tier.billing_interval), { price: formatPrice(tier.price_minor, tier.currency, i18n.language) })}
        </a>
      ))}
      <p className="cm-muted cm-small">{t('pricing.checkout_note')}</p>
      <button
        type="button"
        className="cm-button cm-button--ghost"
        data-testid="check-purchase"
        disabled={check.isPending}
        onClick={() => check.mutate(slug)}
      >
        {check.isPending ? t('pricing.checking') : t('pricing.check')}
      </button>
      {check.isSuccess && (
        <p role="status" data-testid="check-result">
          {held.some((id) => offer.some((o) => o.id === id)) ? t('pricing.check_found') : t('pricing.check_none')}
        </p>
      )}
      {check.isError && (
        <p role="alert" className="cm-danger">
          {check.error instanceof ApiError && check.error.status === 429 ? t('pricing.check_wait') : t('app.error')}
        </p>
      )}
    </div>
  );
}

/** In place of a tier-gated channel's conversation: why it is locked, and how to open it. */
export function TierLockedNote({ channel, slug }: { channel: Channel; slug: string }) {
  const { t } = useTranslation();
  const tiers = useTiersQuery(slug);
  const names = (tiers.data?.items ?? []).filter((x) => channel.required_tier_ids.includes(x.id)).map((x) => x.name);
  return (
    <div className="cm-welcome cm-locked-note" data-testid="locked-note">
      <span className="cm-welcome-icon" aria-hidden="true">
        🔒
      </span>
      <h2>{t('pricing.locked_title', { name: `#${channel.name}` })}</h2>
      <p className="cm-muted" data-testid="locked-reason">
        {t('pricing.locked_body', { tiers: names.join(', ') || t('pricing.a_paid_tier') })}
      </p>
      <BuyTiers slug={slug} only={channel.required_tier_ids} />
    </div>
  );
}

type SubscriptionChanged = RealtimeEventData<'subscription.changed'>;

/**
 * Listens on the viewer's own channel for subscription.changed: gated channels, the feed and
 * the community open or close at once (their queries are fetched again), and a toast says why.
 */
export function SubscriptionToasts() {
  const { t } = useTranslation();
  const hub = useRealtime();
  const qc = useQueryClient();
  const [toasts, setToasts] = useState<Array<SubscriptionChanged & { key: number }>>([]);
  const channel = hub ? realtimeChannel.user(hub.prefix, hub.me) : null;
  useRealtimeEvent(channel, REALTIME_EVENTS.subscriptionChanged, (data) => {
    const parsed = REALTIME_EVENT_SCHEMAS['subscription.changed'].safeParse(data);
    if (!parsed.success) return;
    const d = parsed.data;
    void qc.invalidateQueries({ queryKey: communityKeys.all });
    void qc.invalidateQueries({ queryKey: channelKeys.all });
    // Both channel key schemes while the web moves to the shared factories.
    void qc.invalidateQueries({ queryKey: ['channels'] });
    void qc.invalidateQueries({ queryKey: feedKeys.community(d.slug) });
    void qc.invalidateQueries({ queryKey: feedKeys.community(String(d.community_id)) });
    if (d.change === 'renewed') return;
    const key = Date.now() + Math.random();
    setToasts((ts) => [...ts, { ...d, key }]);
    setTimeout(() => setToasts((ts) => ts.filter((x) => x.key !== key)), 10_000);
  });
  if (toasts.length === 0) return null;
  return (
    <div className="cm-toasts" role="status" aria-live="polite">
      {toasts.map((x) => (
        <div key={x.key} className="cm-toast" data-testid="subscription-toast" data-change={x.change}>
          <div>{t(`pricing.sub_${x.change}`, { tier: x.tier_name, community: x.name })}</div>
          <button
            type="button"
            className="cm-icon-btn"
            aria-label={t('gamification.dismiss')}
            onClick={() => setToasts((ts) => ts.filter((y) => y.key !== x.key))}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

const STATUSES = ['active', 'past_due', 'expired', 'cancelled'] as const;

/**
 * The owner's revenue tab: per tier, subscribers by status, standing RocketLMS sales and their
 * sum, in the school's currency and locale (GET /features → pricing).
 */
export function RevenueTab({ slug }: { slug: string }) {
  const { t, i18n } = useTranslation();
  const features = useFeatures();
  const q = useTierRevenueQuery(slug);
  const locale = features.data?.pricing.locale || i18n.language;
  if (q.isLoading) return <p>{t('app.loading')}</p>;
  if (!q.data) return <p role="alert">{t('app.error')}</p>;
  const r = q.data;
  const money = (minor: number) => formatPrice(minor, r.currency, locale);
  return (
    <section className="cm-card" aria-labelledby="cm-revenue-title" data-testid="revenue">
      <h2 id="cm-revenue-title">{t('pricing.revenue_title')}</h2>
      {r.tiers.length === 0 ? (
        <p className="cm-muted">{t('pricing.revenue_none')}</p>
      ) : (
        <table className="cm-table">
          <thead>
            <tr>
              <th scope="col">{t('pricing.revenue_tier')}</th>
              {STATUSES.map((st) => (
                <th key={st} scope="col">
                  {t(`pricing.status_${st}`)}
                </th>
              ))}
              <th scope="col">{t('pricing.revenue_sales')}</th>
              <th scope="col">{t('pricing.revenue_amount')}</th>
            </tr>
          </thead>
          <tbody>
            {r.tiers.map((x) => (
              <tr key={x.tier.id} data-testid="revenue-row">
                <th scope="row">
                  {x.tier.name}{' '}
                  <span className="cm-muted cm-small">
                    {x.tier.price_minor > 0
                      ? t(joinLabelKey(x.tier.billing_interval).replace('join_', 'price_'), {
                          price: formatPrice(x.tier.price_minor, x.tier.currency, locale),
                        })
                      : t('wizard.free')}
                  </span>
                </th>
                {STATUSES.map((st) => (
                  <td key={st}>{x.subscribers[st]}</td>
                ))}
                <td>
                  {x.sales}
                  {x.refunded_sales > 0 && (
                    <span className="cm-muted cm-small"> {t('pricing.revenue_refunded', { count: x.refunded_sales })}</span>
                  )}
                </td>
                <td>{money(x.revenue_minor)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr data-testid="revenue-total">
              <th scope="row">{t('pricing.revenue_total')}</th>
              {STATUSES.map((st) => (
                <td key={st}>{r.totals.subscribers[st]}</td>
              ))}
              <td>{r.totals.sales}</td>
              <td>{money(r.totals.revenue_minor)}</td>
            </tr>
          </tfoot>
        </table>
      )}
      <p className="cm-muted cm-small">{t('pricing.revenue_note')}</p>
    </section>
  );
}
