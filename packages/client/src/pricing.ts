/** The pieces of a tier a price needs (a tier, or a community card's price). */
export interface PricePoint {
  amount_minor: number;
  currency: string;
  interval: 'monthly' | 'yearly' | 'once';
}

/** An amount in the school's currency and locale: "£15", "£15.50", "15,00 €". */
export function formatPrice(amountMinor: number, currency: string, locale: string): string {
  // Minor units as the currency has them: 2 digits for GBP, none for JPY, 3 for KWD.
  const digits = currencyDigits(currency);
  const options = {
    style: 'currency' as const,
    currency,
    minimumFractionDigits: amountMinor % 10 ** digits === 0 ? 0 : digits,
    maximumFractionDigits: digits,
  };
  const amount = amountMinor / 10 ** digits;
  try {
    return new Intl.NumberFormat(locale, options).format(amount);
  } catch {
    // An unknown locale tag: the currency still reads right in English.
    return new Intl.NumberFormat('en', options).format(amount);
  }
}

/** Digits in `currency`'s minor unit, as Intl knows them (2 when it does not know the code). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** The i18n key (`pricing.join_monthly` …) of "Join for {{price}}/month" for a billing interval. */
export const joinLabelKey = (interval: PricePoint['interval']): string => `pricing.join_${interval}`;

export interface BuyableTier {
  id: number;
  name: string;
  price_minor: number;
  currency: string;
  billing_interval: PricePoint['interval'];
  is_default: boolean;
  is_active: boolean;
  checkout_url: string | null;
}

/** Tiers a viewer can buy through RocketLMS: active, paid, with a checkout link; the default first, then cheapest. */
export function buyableTiers<T extends BuyableTier>(tiers: readonly T[]): T[] {
  return tiers
    .filter((t) => t.is_active && t.price_minor > 0 && t.checkout_url)
    .sort((a, b) => Number(b.is_default) - Number(a.is_default) || a.price_minor - b.price_minor || a.id - b.id);
}
