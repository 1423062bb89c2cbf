import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fireEvent, screen, waitFor, within } from '@testing-library/react-native';

import type { CheckoutRequest, SubscriptionChangedEvent } from '../src/config';
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

  it('hears a subscription change live: the host app’s onSubscriptionChanged gets it (the addon refetches what it gates)', async () => {
    const admin = s.demo.adminId;
    const buyer = s.demo.studentIds[4]!;
    const community = await s.as(admin).communities.create({ body: { name: 'Live Pass', visibility: 'public' } });
    const tier = await s.as(admin).communities.createTier({
      params: { id: String(community.id) },
      body: { name: 'Live', price_minor: 900, currency: 'GBP', billing_interval: 'monthly' },
    });
    const heard: SubscriptionChangedEvent[] = [];
    await renderWithServer(<CommunityDetailScreen communityId={community.slug} />, s, buyer, {
      realtime: true,
      onSubscriptionChanged: (e) => heard.push(e),
    });
    expect(await screen.findByText(/£9 \/ month/)).toBeTruthy();
    // Grant until the push arrives: pusher-js needs a moment to subscribe through the real gateway.
    await waitFor(
      async () => {
        if (heard.length === 0) {
          await s.as(admin).communities.grantTier({ params: { id: String(community.id), tierId: tier.id }, body: { user_id: buyer } });
          await new Promise((r) => setTimeout(r, 500));
        }
        expect(heard.length).toBeGreaterThan(0);
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(heard[0]).toMatchObject({
      community_id: community.id,
      tier_id: tier.id,
      tier_name: 'Live',
      change: 'activated',
      status: 'active',
    });
  }, 30_000);
});
