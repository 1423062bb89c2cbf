import type { CommunityDetail } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { fireEvent, screen, waitFor } from '@testing-library/react-native';

import { CreateCommunityScreen } from '../src/screens/CreateCommunity';
import { CommunityDetailScreen } from '../src/screens/CommunityDetail';
import { JoinRequestsScreen } from '../src/screens/JoinRequests';

import { solidPng } from './support/png';
import { renderWithServer } from './support/render';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;

beforeAll(async () => {
  // The worker scans uploads: an icon must be scanned before the wizard may use it.
  s = await startRealServer({ worker: true });
});
afterAll(async () => {
  await s?.close();
});

/** Taps "Save and continue" and waits for the next step's screen. */
async function next(step: string) {
  await fireEvent.press(screen.getByTestId('wizard-next'));
  await screen.findByTestId(`wizard-step-${step}`);
}

describe('the create-community wizard on the phone, against a real server', () => {
  it('walks the steps as a stack, shows the API field errors inline, links her course and publishes', async () => {
    const instructor = s.demo.instructorIds[2]!;
    const own = s.demo.courseIds[4]!;
    const published = jest.fn<(c: CommunityDetail) => void>();
    const drafts: Array<[number, string]> = [];
    await renderWithServer(
      <CreateCommunityScreen onPublished={published} onDraft={(id, step) => drafts.push([id, step])} />,
      s,
      instructor,
      {
        pickAttachment: () =>
          Promise.resolve({
            name: 'pocket.png',
            type: 'image/png',
            blob: new Blob([new Uint8Array(solidPng(64, 64, [200, 80, 40]))], { type: 'image/png' }),
          }),
      },
    );
    await screen.findByTestId('wizard-step-basics');
    // Too short a name: the server's words land under the field.
    await fireEvent.changeText(screen.getByTestId('wizard-name'), 'ab');
    await fireEvent.press(screen.getByTestId('wizard-next'));
    expect(await screen.findByTestId('wizard-error-name')).toBeTruthy();
    await fireEvent.changeText(screen.getByTestId('wizard-name'), 'Pocket Spanish');
    await fireEvent.changeText(screen.getByTestId('wizard-slug'), 'pocket-spanish');
    await next('images');
    await fireEvent.press(screen.getByTestId('wizard-pick-icon'));
    await waitFor(() => expect(screen.getByTestId('wizard-icon-state')).toHaveTextContent('pocket.png is uploaded and checked'), {
      timeout: 30_000,
    });
    await next('visibility');
    await fireEvent.press(screen.getByTestId('wizard-visibility-private'));
    await next('roles');
    // Back pops the stack and keeps what was chosen.
    await fireEvent.press(screen.getByTestId('wizard-back'));
    await screen.findByTestId('wizard-step-visibility');
    expect(screen.getByTestId('wizard-visibility-private').props.accessibilityState).toMatchObject({ checked: true });
    await next('roles');
    await next('channels');
    await fireEvent.changeText(screen.getByTestId('wizard-channel-0'), 'charla');
    const pricing = (await s.as(instructor).system.features()).features.pricing_tiers;
    await next(pricing ? 'pricing' : 'courses');
    if (pricing) await next('courses');
    // The picker lists the courses she teaches, not a colleague's.
    await screen.findByTestId(`wizard-course-${own}`);
    expect(screen.queryByTestId(`wizard-course-${s.demo.courseIds[1]!}`)).toBeNull();
    await fireEvent.press(screen.getByTestId(`wizard-link-${own}`));
    expect(screen.getByTestId(`wizard-linked-${own}`)).toHaveTextContent(/Conversational Spanish/);
    expect(screen.getByTestId(`wizard-link-${own}`)).toHaveTextContent('Linked');
    await next('review');
    expect(screen.getByTestId('wizard-review')).toHaveTextContent(/Pocket Spanish/);
    await fireEvent.press(screen.getByTestId('wizard-next'));
    await waitFor(() => expect(published).toHaveBeenCalled());
    const c = published.mock.calls[0]![0];
    expect(c).toMatchObject({ slug: 'pocket-spanish', visibility: 'private', status: 'active' });
    expect(drafts.map(([, step]) => step)).toContain('review');
    const channels = await s.as(instructor).channels.list({ params: { id: 'pocket-spanish' } });
    expect(channels.items.map((x) => x.name)).toContain('charla');
    const links = await s.as(instructor).communities.courses({ params: { id: 'pocket-spanish' } });
    expect(links.items.map((l) => l.course_id)).toEqual([own]);
    expect((await s.as(instructor).communities.get({ params: { id: 'pocket-spanish' } })).icon_url).not.toBeNull();
  }, 240_000);

  it('resumes a draft at the first step not yet saved', async () => {
    const instructor = s.demo.instructorIds[0]!;
    const api = s.as(instructor);
    const draft = await api.communities.wizardStart({ body: { name: 'Half Done Club', slug: 'half-done-club' } });
    await api.communities.wizardStep({ params: { draftId: draft.id, step: 'visibility' }, body: { visibility: 'hidden' } });
    await renderWithServer(<CreateCommunityScreen draftId={draft.id} onPublished={() => undefined} />, s, instructor);
    await screen.findByTestId('wizard-step-channels');
    await fireEvent.press(screen.getByTestId('wizard-back'));
    await fireEvent.press(screen.getByTestId('wizard-back'));
    await screen.findByTestId('wizard-step-visibility');
    expect(screen.getByTestId('wizard-visibility-hidden').props.accessibilityState).toMatchObject({ checked: true });
  }, 120_000);
});

describe('join requests on the phone', () => {
  it('lists the pending requests with their intros; approving with a message makes a member and rejecting removes the request', async () => {
    const owner = s.demo.instructorIds[1]!;
    const [a, b] = s.demo.studentIds as [number, number];
    const c = await seedCommunity(s, { owner, name: 'Quiet Readers', visibility: 'private' });
    await s.as(a).communities.join({ params: { id: c.slug }, body: { intro: 'I read a book a week.' } });
    await s.as(b).communities.join({ params: { id: c.slug }, body: {} });
    const h = await renderWithServer(<JoinRequestsScreen communityId={c.slug} />, s, owner);
    await screen.findByTestId(`request-${a}`);
    expect(screen.getByTestId(`request-${b}`)).toBeTruthy();
    expect(screen.getByTestId(`intro-${a}`)).toHaveTextContent('“I read a book a week.”');
    expect(screen.queryByTestId(`intro-${b}`)).toBeNull();
    await fireEvent.changeText(screen.getByTestId(`message-${a}`), '  Welcome aboard!  ');
    await fireEvent.press(screen.getByTestId(`approve-${a}`));
    await waitFor(() => expect(screen.queryByTestId(`request-${a}`)).toBeNull());
    expect(screen.getByTestId('requests-done')).toHaveTextContent(/^Approved /);
    // The message goes with the decision (the requester hears it live: see the server's tests).
    const sent = h.network.requests.find((r) => r.method === 'POST' && r.url.endsWith(`/requests/${a}/approve`));
    expect(JSON.parse(sent!.body!)).toEqual({ message: 'Welcome aboard!' });
    await fireEvent.press(screen.getByTestId(`reject-${b}`));
    expect(await screen.findByText('No one is waiting.')).toBeTruthy();
    expect((await s.as(a).communities.get({ params: { id: c.slug } })).viewer_membership).toMatchObject({ status: 'active' });
    expect((await s.as(b).communities.get({ params: { id: c.slug } })).viewer_membership).toBeNull();
  }, 120_000);
});

describe('asking to join on the phone', () => {
  it('a requester adds an intro when asking, sees the request waiting, and can cancel it', async () => {
    const owner = s.demo.instructorIds[2]!;
    const student = s.demo.studentIds[4]!;
    const c = await seedCommunity(s, { owner, name: 'Night Owls', visibility: 'private' });
    await renderWithServer(<CommunityDetailScreen communityId={c.slug} />, s, student);
    const ask = await screen.findByTestId('detail-join');
    expect(ask).toHaveTextContent('Ask to join');
    await fireEvent.press(ask);
    await fireEvent.changeText(screen.getByTestId('detail-intro'), 'I study best after midnight.');
    await fireEvent.press(screen.getByTestId('detail-send-request'));
    await waitFor(() => expect(screen.getByTestId('detail-leave')).toHaveTextContent('Cancel request'));
    const waiting = await s.as(owner).communities.requests({ params: { id: c.slug }, query: {} });
    expect(waiting.items.map((m) => [m.user.id, m.request_intro])).toEqual([[student, 'I study best after midnight.']]);
    await fireEvent.press(screen.getByTestId('detail-leave'));
    await waitFor(() => expect(screen.getByTestId('detail-join')).toHaveTextContent('Ask to join'));
    expect((await s.as(owner).communities.requests({ params: { id: c.slug }, query: {} })).items).toEqual([]);
  }, 120_000);
});
