import { formatPrice } from '@communities/client';
import { SOLD_ITEM_TYPES, type SellableItem, type SoldItemType } from '@communities/contract';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { useLinkTierItemMutation, useSellableItemsQuery, useTiersQuery } from '../state/queries/communities';

import { errorText } from './error-note';

type Tier = NonNullable<ReturnType<typeof useTiersQuery>['data']>['items'][number];

/** The search box settles for this long before the picker asks the server. */
const SEARCH_SETTLE_MS = 250;

function useSettled(value: string): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value.trim()), SEARCH_SETTLE_MS);
    return () => clearTimeout(t);
  }, [value]);
  return settled;
}

/**
 * "Sold through RocketLMS as" for one tier: a type, a search over the items the viewer may sell
 * (the server decides which), the chosen item by title; Save links it, Unlink clears it.
 */
function TierItemField({ slug, tier }: { slug: string; tier: Tier }) {
  const { t } = useTranslation();
  const [type, setType] = useState<SoldItemType>(tier.host_item_type ?? 'course');
  const [search, setSearch] = useState('');
  const q = useSettled(search);
  const [chosen, setChosen] = useState<SellableItem | null>(null);
  const items = useSellableItemsQuery(slug, type, q);
  // The linked item's title: looked up among the items of its type the viewer may pick.
  const linkedType = tier.host_item_type ?? 'course';
  const linkedList = useSellableItemsQuery(slug, linkedType, '', tier.host_item_id !== null);
  const linked =
    tier.host_item_type && tier.host_item_id !== null ? (linkedList.data?.items.find((i) => i.id === tier.host_item_id) ?? null) : null;
  const save = useLinkTierItemMutation(slug);
  const name = tier.name;
  return (
    <fieldset className="cm-field cm-tier-item" aria-label={t('tiers.sold_as_for', { tier: name })}>
      <legend>{t('tiers.sold_as')}</legend>
      <p data-testid="tier-linked-item">
        {tier.host_item_type && tier.host_item_id !== null ? (
          <>
            {t(`tiers.type_${tier.host_item_type}`)}:{' '}
            {tier.checkout_url ? (
              <a href={tier.checkout_url} target="_blank" rel="noreferrer">
                {linked?.title ?? `#${tier.host_item_id}`}
              </a>
            ) : (
              (linked?.title ?? `#${tier.host_item_id}`)
            )}
          </>
        ) : (
          <span className="cm-muted">{t('tiers.not_linked')}</span>
        )}
      </p>
      <div className="cm-row">
        <select
          className="cm-input"
          aria-label={t('tiers.item_type')}
          value={type}
          onChange={(e) => {
            setType(e.target.value as SoldItemType);
            setChosen(null);
          }}
        >
          {SOLD_ITEM_TYPES.map((v) => (
            <option key={v} value={v}>
              {t(`tiers.type_${v}`)}
            </option>
          ))}
        </select>
        <input
          className="cm-input"
          type="search"
          aria-label={t('tiers.item_search')}
          placeholder={t('tiers.item_search')}
          value={search}
          maxLength={100}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      {items.isSuccess && items.data.items.length === 0 && <p className="cm-empty">{t('tiers.item_none')}</p>}
      <ul className="cm-admin-list cm-tier-item-results" aria-label={t('tiers.item_results')}>
        {items.data?.items.map((i) => (
          <li key={`${i.type}-${i.id}`}>
            <label className="cm-check">
              <input
                type="radio"
                name={`tier-item-${tier.id}`}
                checked={chosen?.type === i.type && chosen.id === i.id}
                onChange={() => setChosen(i)}
              />
              <span>{i.title}</span>
            </label>
          </li>
        ))}
      </ul>
      <div className="cm-settings-actions">
        {chosen && <span data-testid="tier-chosen-item">{t('tiers.chosen', { title: chosen.title })}</span>}
        <button
          type="button"
          className="cm-button"
          disabled={!chosen || save.isPending}
          onClick={() => chosen && save.mutate({ tierId: tier.id, item: chosen }, { onSuccess: () => setChosen(null) })}
        >
          {t('tiers.link_save')}
        </button>
        {tier.host_item_id !== null && (
          <button
            type="button"
            className="cm-link-button cm-danger"
            disabled={save.isPending}
            onClick={() => save.mutate({ tierId: tier.id, item: null })}
          >
            {t('tiers.unlink')}
          </button>
        )}
        {save.isSuccess && <span role="status">{t('settings.saved')}</span>}
        {(save.error ?? items.error) && <span role="alert">{errorText(t, save.error ?? items.error)}</span>}
      </div>
    </fieldset>
  );
}

/** The community's paid tiers, each with the RocketLMS item its "Join for …" button sells. */
export function TierLinksPanel({ slug }: { slug: string }) {
  const { t, i18n } = useTranslation();
  const tiers = useTiersQuery(slug);
  const paid = (tiers.data?.items ?? []).filter((x) => x.price_minor > 0);
  return (
    <section className="cm-card cm-settings" aria-labelledby="cm-tiers-title">
      <h2 id="cm-tiers-title">{t('tiers.title')}</h2>
      {tiers.isSuccess && paid.length === 0 && <p className="cm-empty">{t('tiers.none')}</p>}
      <ul className="cm-admin-list">
        {paid.map((tier) => (
          <li key={tier.id} aria-label={tier.name} className="cm-tier-edit">
            <strong>{tier.name}</strong>{' '}
            <span className="cm-muted cm-small">
              {t(`pricing.price_${tier.billing_interval}`, { price: formatPrice(tier.price_minor, tier.currency, i18n.language) })}
            </span>
            <TierItemField slug={slug} tier={tier} />
          </li>
        ))}
      </ul>
    </section>
  );
}
