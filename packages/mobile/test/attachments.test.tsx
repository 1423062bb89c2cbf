import type { Api } from '@communities/client';
import { endpoints, type Attachment, type Channel } from '@communities/contract';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { screen, waitFor, within } from '@testing-library/react-native';

import { ChannelScreen } from '../src/screens/Channel';

import { solidPng } from './support/png';
import { renderWithServer } from './support/render';
import { startScanner } from './support/scanner';
import { seedCommunity } from './support/seed';
import { startRealServer, type RealServer } from './support/server';

let s: RealServer;
let scanner: Awaited<ReturnType<typeof startScanner>>;
let me: number;
let friend: number;
let channel: Channel;

beforeAll(async () => {
  scanner = await startScanner();
  s = await startRealServer({ worker: true, config: { file_scanner: { driver: 'http', http: { url: scanner.url } } } });
  [me, friend] = s.demo.studentIds as [number, number];
  const community = await seedCommunity(s, { name: 'Darkroom', members: [me, friend] });
  channel = (await s.as(friend).channels.list({ params: { id: String(community.id) } })).items.find((c) => c.type === 'text')!;
});
afterAll(async () => {
  await s?.close();
  await scanner?.close();
});

const upload = (api: Api, name: string, type: string, bytes: Buffer): Promise<Attachment> => {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  return api.call(endpoints.uploads.upload, { query: { purpose: 'channel' }, body } as never);
};

/** Friend posts a file; resolves once the server has a verdict unless told not to wait. */
async function postFile(name: string, type: string, bytes: Buffer, until: Attachment['scan_status'] | null) {
  const api = s.as(friend);
  const file = await upload(api, name, type, bytes);
  const message = await api.channels.post({ params: { channelId: channel.id }, body: { content: name, attachment_ids: [file.id] } });
  if (until)
    await waitFor(async () => expect((await api.uploads.status({ params: { kind: 'channel', id: file.id } })).scan_status).toBe(until));
  return { file, message };
}

describe('Attachments in a channel, scanned by the server', () => {
  it('shows a clean image as a thumbnail that loads with the user’s token', async () => {
    const { file } = await postFile('sunset.png', 'image/png', solidPng(640, 480, [230, 120, 40]), 'clean');
    await renderWithServer(<ChannelScreen channelId={channel.id} />, s, me);
    const image = await screen.findByTestId(`thumbnail-${file.id}`);
    const source = image.props.source as { uri: string; headers: Record<string, string> };
    expect(source.uri).toBe(`${s.url}/api/communities/uploads/channel/${file.id}/thumbnail`);
    expect(source.headers).toEqual({ authorization: `Bearer ${await s.token(me)}` });
    expect(image.props.style).toEqual(expect.arrayContaining([{ aspectRatio: 640 / 480 }]));
    expect(image.props.accessibilityLabel).toBe('sunset.png');
    // what the Image will fetch is the real thumbnail, and only with those headers
    const res = await fetch(source.uri, { headers: source.headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect((await fetch(source.uri)).ok).toBe(false);
  });

  it('says “Scanning…” while the scan runs, then shows the thumbnail once clean (realtime)', async () => {
    const { file } = await postFile('contact-sheet.png', 'image/png', solidPng(300, 300, [20, 20, 20], 'HOLD-SCAN'), null);
    await waitFor(() => expect(scanner.held()).toBe(1));
    await renderWithServer(<ChannelScreen channelId={channel.id} />, s, me, { realtime: true });
    const pending = await screen.findByTestId(`attachment-${file.id}`);
    expect(pending).toHaveTextContent(/contact-sheet\.png.*Scanning…/);
    expect(screen.queryByTestId(`thumbnail-${file.id}`)).toBeNull();
    // once the screen hears live messages, the verdict's update will reach it too
    await waitFor(async () => {
      await s.as(friend).channels.post({ params: { channelId: channel.id }, body: { content: `Any news ${Date.now()}` } });
      expect(screen.getAllByText(/^Any news \d+$/).length).toBeGreaterThan(0);
    });
    scanner.release();
    expect(await screen.findByTestId(`thumbnail-${file.id}`)).toBeTruthy();
  });

  it('shows an infected file as removed, without its name or a way to open it', async () => {
    const { file, message } = await postFile('invoice.txt', 'text/plain', Buffer.from('EICAR-TEST totally an invoice'), 'infected');
    await renderWithServer(<ChannelScreen channelId={channel.id} />, s, me);
    const row = await screen.findByTestId(`message-${message.id}`);
    expect(within(row).getByTestId(`attachment-${file.id}`)).toHaveTextContent('🚫 File removed');
    expect(within(row).queryByText(/📎/)).toBeNull();
    expect(within(row).queryByTestId(`thumbnail-${file.id}`)).toBeNull();
  });
});
