import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fireEvent, screen, within } from '@testing-library/react-native';

import type { CheckoutRequest } from '../src/config';
import { CommunityDetailScreen } from '../src/screens/CommunityDetail';

import { renderWithServer } from './support/render';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;

beforeAll(async () => {
  s = await startRealServer({ config: { host: { base_url: 'https://school.example.com' } } });
});
afterAll(async () => {
  await s?.close();
});

describe('the tier sheet', () => {
  it('shows the price, opens the tier’s RocketLMS checkout through the host app’s callback, and checks the purchase', async () => {
    const admin = s.demo.adminId;
    const buyer = s.demo.studentIds[3]!;
    const community = await s.as(admin).communities.create({ body: { name: 'Studio Pass', visibility: 'public' } });
    const tier = await s.as(admin).communities.createTier({
      params: { id: String(community.id) },
      body: {
        name: 'Studio',
        price_minor: 1500,
        currency: 'GBP',
        billing_interval: 'monthly',
        host_item_type: 'course',
        host_item_id: s.demo.courseIds[0]!,
      },
    });
    expect(tier.checkout_url).toMatch(/^https:\/\/school\.example\.com\/course\/[^/]+$/);

    const opened: CheckoutRequest[] = [];
    await renderWithServer(<CommunityDetailScreen communityId={community.slug} />, s, buyer, {
      openCheckout: (c) => opened.push(c),
    });
    expect(await screen.findByText(/£15 \/ month/)).toBeTruthy();
    await fireEvent.press(screen.getByRole('button', { name: 'Subscribe' }));
    const sheet = await screen.findByTestId('tier-sheet');
    const buy = await within(sheet).findByRole('button', { name: "Buy Studio on the school's checkout" });
    expect(within(buy).getByText('Join for £15/month')).toBeTruthy();
    await fireEvent.press(buy);
    expect(opened).toEqual([{ url: tier.checkout_url, communityId: community.id, tierId: tier.id, tierName: 'Studio' }]);

    // Back from the checkout: nothing bought yet.
    await fireEvent.press(within(sheet).getByRole('button', { name: 'Check my purchase' }));
    expect(await within(sheet).findByText(/No purchase found yet/)).toBeTruthy();
    // The owner grants the tier (the manual adapter's path; a RocketLMS sale lands the same way): now it is found.
    await s.as(admin).communities.grantTier({ params: { id: String(community.id), tierId: tier.id }, body: { user_id: buyer } });
    await fireEvent.press(within(sheet).getByRole('button', { name: 'Check my purchase' }));
    expect(await within(sheet).findByText('Thanks! Your subscription is active.')).toBeTruthy();
  });
});
