import { useEffect, useState } from 'react';
import { Pressable, Text, View } from 'react-native';

import {
  ChannelScreen,
  CommunitiesProvider,
  CommunityDetailScreen,
  CommunityListScreen,
  DMInboxScreen,
  DMThreadScreen,
  useCommunitiesMenu,
} from '../src';
import type { PickedFile } from '../src/config';

/** A stand-in for the host app's navigator: routes live in the URL hash so a screenshot can open one. */
type Route =
  | { name: 'communities' }
  | { name: 'community'; id: string }
  | { name: 'channel'; id: number }
  | { name: 'messages' }
  | { name: 'thread'; id: number };

function parse(hash: string): Route {
  const [, name, id] = hash.replace(/^#/, '').split('/');
  if (name === 'community' && id) return { name, id };
  if (name === 'channel' && id) return { name, id: Number(id) };
  if (name === 'thread' && id) return { name, id: Number(id) };
  if (name === 'messages') return { name };
  return { name: 'communities' };
}

const go = (path: string) => {
  location.hash = path;
};

function Shell() {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const on = () => setRoute(parse(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const menu = useCommunitiesMenu();
  return (
    <View style={{ width: 390, maxWidth: '100%', height: '100%', backgroundColor: '#fff' }}>
      <View style={{ flexDirection: 'row', borderBottomWidth: 1, borderBottomColor: '#e4e7ec' }}>
        {route.name !== 'communities' && route.name !== 'messages' ? (
          <Pressable onPress={() => history.back()} style={{ padding: 14 }} accessibilityRole="button">
            <Text style={{ fontSize: 18 }}>‹</Text>
          </Pressable>
        ) : null}
        {menu.map((item) => (
          <Pressable key={item.key} onPress={() => go(`/${item.route}`)} style={{ padding: 14 }} accessibilityRole="button">
            <Text style={{ fontWeight: route.name === item.route ? '700' : '400' }}>
              {item.glyph} {item.label}
            </Text>
          </Pressable>
        ))}
      </View>
      <View style={{ flex: 1 }}>
        {route.name === 'communities' ? <CommunityListScreen onOpenCommunity={(c) => go(`/community/${c.slug}`)} /> : null}
        {route.name === 'community' ? (
          <CommunityDetailScreen
            communityId={route.id}
            onOpenChannel={(c) => go(`/channel/${c.id}`)}
            onOpenThread={(t) => go(`/thread/${t.id}`)}
          />
        ) : null}
        {route.name === 'channel' ? <ChannelScreen channelId={route.id} /> : null}
        {route.name === 'messages' ? <DMInboxScreen onOpenThread={(t) => go(`/thread/${t.id}`)} /> : null}
        {route.name === 'thread' ? <DMThreadScreen threadId={route.id} /> : null}
      </View>
    </View>
  );
}

/** The host's file picker, in a browser: the system file dialog (a screenshot script answers it). */
function pickWithBrowser(): Promise<PickedFile | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.onchange = () => {
      const file = input.files?.[0];
      resolve(file ? { name: file.name, type: file.type, blob: file } : null);
    };
    input.oncancel = () => resolve(null);
    input.click();
  });
}

export function PreviewApp({ baseUrl, token }: { baseUrl: string; token: string }) {
  return (
    <CommunitiesProvider
      config={{
        baseUrl,
        token: () => token,
        onUnauthorized: () => location.reload(),
        analytics: (e) => console.debug('[analytics]', e),
        pickAttachment: pickWithBrowser,
      }}
    >
      <Shell />
    </CommunitiesProvider>
  );
}
