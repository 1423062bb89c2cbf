import { describe, expect, it } from 'vitest';

import { formatPrice as raw } from './pricing';

// Intl separates some currencies with a no-break space.
const formatPrice = (...a: Parameters<typeof raw>) => raw(...a).replace(/\u00a0/g, ' ');

describe('formatPrice', () => {
  it("reads minor units as the currency has them, in the school's locale", () => {
    expect(formatPrice(1500, 'GBP', 'en-GB')).toBe('£15');
    expect(formatPrice(1550, 'GBP', 'en-GB')).toBe('£15.50');
    expect(formatPrice(1500, 'JPY', 'en')).toBe('¥1,500');
    expect(formatPrice(1500, 'KWD', 'en')).toBe('KWD 1.500');
    expect(formatPrice(1550, 'EUR', 'de-DE')).toBe('15,50 €');
    // An unknown locale tag still formats, in English.
    expect(formatPrice(990, 'USD', 'not a locale')).toBe('$9.90');
  });
});
