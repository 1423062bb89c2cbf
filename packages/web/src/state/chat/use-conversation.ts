import {
  ConversationMachine,
  followConversation,
  type AnyMessage,
  type ChangesPage,
  type ChangesRequest,
  type ConversationIO,
  type ConversationSnapshot,
  type HistoryPage,
  type HistoryQuery,
  type SendBody,
} from '@communities/client';
import type { Attachment, UserSummary } from '@communities/contract';
import { useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';

import { useConnection, useRealtime, useUploadScanned } from '../realtime';

/** What a screen hands a conversation: its API calls, realtime names and the viewer's rights. */
export interface ConversationConfig<M extends AnyMessage> {
  name: string;
  io: {
    page(query: HistoryQuery): Promise<HistoryPage<M>>;
    send(body: SendBody): Promise<M>;
    changes?(query: ChangesRequest): Promise<ChangesPage<M>>;
  };
  edit: (id: number, content: string) => Promise<M>;
  remove: (id: number) => Promise<unknown>;
  react: (id: number, emoji: string) => Promise<{ reactions: M['reactions'] }>;
  pin?: (id: number, pinned: boolean) => Promise<M>;
  read: (id: number) => Promise<unknown>;
  upload: (file: File) => Promise<Attachment>;
  attachmentStatus: (a: Attachment) => Promise<Attachment>;
  mentionSource: (q: string) => Promise<UserSummary[]>;
  /** Realtime channel names: messages and presence (online people, typing). */
  realtime: { messages: string; presence: string };
  lastReadId: number;
  canPost: boolean;
  canAttach: boolean;
  /** The viewer may pin (from the channel's viewer_can): live messages get Pin from this. */
  canPin: boolean;
  /** May delete other people's messages (owner, moderators): live messages get Delete from this. */
  canDeleteAny?: boolean;
  /** Marks a reply helpful or unmarks it (channels, gamification on). */
  helpful?: (id: number, helpful: boolean) => Promise<{ helpful: boolean }>;
  /** Who may mark live replies helpful: see ViewerRights.helpful ('off' without `helpful`). */
  helpfulRights?: 'asker' | 'moderator';
  canReact: boolean;
  allowEveryone: boolean;
  /** The channel's slow mode (0: none); moderators who are exempt pass 0. */
  slowModeSeconds?: number;
  /** Shown instead of the composer when the viewer may not post. */
  readOnly: ReactNode;
  empty: ReactNode;
  /** Who is listed here, and how many are here in all (a big channel lists only some of them). */
  onPresence?: (people: UserSummary[], count: number) => void;
  onRead?: (lastId: number) => void;
}

/**
 * The shared conversation machine for one screen: loads the latest page, follows the realtime
 * channel (catch-up after reconnects, sends retried when the connection is back), and applies
 * upload scans. The latest config is read through a ref, so the machine lives as long as the view.
 */
export function useConversation<M extends AnyMessage>(
  c: ConversationConfig<M>,
  meId: number,
): { machine: ConversationMachine<M>; snap: ConversationSnapshot<M> } {
  const hub = useRealtime();
  const cfg = useRef(c);
  useEffect(() => {
    cfg.current = c;
  });
  const [machine] = useState(() => {
    const io: ConversationIO<M> = {
      history: (q) => cfg.current.io.page(q),
      post: (b) => cfg.current.io.send(b),
      ...(c.io.changes ? { changes: (q: ChangesRequest) => cfg.current.io.changes!(q) } : {}),
      edit: (id, content) => cfg.current.edit(id, content),
      remove: (id) => cfg.current.remove(id),
      react: (id, emoji) => cfg.current.react(id, emoji),
      pin: (id, pinned) => (cfg.current.pin ? cfg.current.pin(id, pinned) : Promise.reject(new Error('no pins here'))),
      helpful: (id, helpful) =>
        cfg.current.helpful ? cfg.current.helpful(id, helpful) : Promise.reject(new Error('no helpful marks here')),
      read: (id) => cfg.current.read(id),
    };
    const m = new ConversationMachine<M>(io, {
      me: () => ({ id: meId }),
      rights: () => ({
        deleteAny: cfg.current.canDeleteAny ?? false,
        pin: cfg.current.canPin,
        helpful: cfg.current.helpful ? (cfg.current.helpfulRights ?? 'asker') : 'off',
      }),
    });
    m.readUpTo(c.lastReadId);
    return m;
  });
  const snap = useSyncExternalStore(machine.subscribe, machine.getSnapshot);

  useEffect(() => {
    void machine.load();
    return () => machine.dispose();
  }, [machine]);

  // Live stream once the first page is in; it catches up after every reconnect.
  const channel = c.realtime.messages;
  useEffect(() => {
    if (!hub) return;
    const release = hub.acquire(channel);
    const stop = followConversation(machine, hub.rt, channel);
    return () => {
      stop();
      release();
    };
  }, [hub, machine, channel]);

  useScans(machine, snap, (a) => cfg.current.attachmentStatus(a), Boolean(hub));
  return { machine, snap };
}

/**
 * Scans: our uploads arrive on our user channel, everyone's with message.updated on the
 * conversation's channel (and the changes catch-up after a reconnect). Only while the socket is
 * down (or there is no realtime at all) are pending files polled.
 */
function useScans<M extends AnyMessage>(
  machine: ConversationMachine<M>,
  snap: ConversationSnapshot<M>,
  status: (a: Attachment) => Promise<Attachment>,
  live: boolean,
): void {
  useUploadScanned((a) => machine.attachmentScanned(a));
  const connection = useConnection().state;
  const polling = !live || connection !== 'online';
  const pendingFiles = snap.messages
    .slice(-50)
    .flatMap((m) => m.attachments)
    .filter((a) => a.scan_status === 'pending');
  const pendingKey = polling ? pendingFiles.map((a) => `${a.kind}:${a.id}`).join(',') : '';
  const pendingRef = useRef(pendingFiles);
  pendingRef.current = pendingFiles;
  const statusRef = useRef(status);
  statusRef.current = status;
  useEffect(() => {
    if (!pendingKey) return;
    // Every few seconds until each file has a verdict; new messages do not restart the clock.
    const timer = setInterval(() => {
      for (const a of pendingRef.current.slice(0, 10))
        statusRef
          .current(a)
          .then((x) => x.scan_status !== 'pending' && machine.attachmentScanned(x))
          .catch(() => {});
    }, 4000);
    return () => clearInterval(timer);
  }, [pendingKey, machine]);
}
