/** Digits after the point in `currency`'s minor unit (GBP 2, JPY 0, KWD 3), as Intl knows them. */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** A RocketLMS amount (major units, a decimal column) in integer minor units of `currency`. */
export function toMinorUnits(amount: number, currency: string): number {
  if (!Number.isFinite(amount)) return 0;
  return Math.round(amount * 10 ** minorDigits(currency));
}
