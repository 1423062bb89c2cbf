import { REALTIME_EVENTS } from '@communities/contract';

import { decodeTyping } from './decode';
import type { Timers } from './types';

/** The presence channel's client event that carries "I am typing" (relayed by the gateway). */
export const TYPING_EVENT = REALTIME_EVENTS.clientTyping;
/** How long a name stays after its last signal, and how often we send ours while typing. */
export const TYPING_SHOWN_MS = 5000;
export const TYPING_SEND_EVERY_MS = 2500;

type Typers = Map<number, { name: string; at: number }>;

/** Who typed in the last `windowMs`, oldest first, never ourselves. */
export function activeTypers(typers: Typers, now: number, meId: number | undefined, windowMs = TYPING_SHOWN_MS): string[] {
  return [...typers.entries()]
    .filter(([id, t]) => id !== meId && now - t.at < windowMs)
    .sort((a, b) => a[1].at - b[1].at)
    .map(([, t]) => t.name);
}

export interface TypingOptions {
  me: () => { id: number; name: string } | null;
  now?: () => number;
  timers?: Timers;
}

const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * "Ana is typing…" for one conversation, the same on web and mobile: names from others' typing
 * signals (fading after TYPING_SHOWN_MS, ended by their message or by their leaving), and our
 * own signal sent at most every TYPING_SEND_EVERY_MS. Read through subscribe/getSnapshot.
 */
export class TypingTracker {
  private typers: Typers = new Map();
  private names: string[] = [];
  private readonly listeners = new Set<() => void>();
  private lastSent = Number.NEGATIVE_INFINITY;
  private expiry: unknown = null;
  private sender: ((payload: { user_id: number; name: string }) => boolean) | null = null;
  private readonly timers: Timers;

  constructor(private readonly options: TypingOptions) {
    this.timers = options.timers ?? systemTimers;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };

  /** The names shown now, oldest typist first. */
  getSnapshot = (): string[] => this.names;

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Where our own signal goes (a presence channel's trigger); null while not connected. */
  connect(send: ((payload: { user_id: number; name: string }) => boolean) | null): void {
    this.sender = send;
  }

  /** A typing signal pushed by someone (decoded here; malformed ones are dropped). */
  received(data: unknown): void {
    const d = decodeTyping(data);
    if (!d || d.user_id === this.options.me()?.id) return;
    this.typers = new Map(this.typers).set(d.user_id, { name: d.name, at: this.now() });
    this.refresh();
  }

  /** Someone's message arrived, or they left: their name goes at once. */
  stopped(userId: number): void {
    if (!this.typers.has(userId)) return;
    this.typers = new Map(this.typers);
    this.typers.delete(userId);
    this.refresh();
  }

  /** We typed a key: tells the others, at most every TYPING_SEND_EVERY_MS. True when a signal went. */
  typed(): boolean {
    const me = this.options.me();
    const now = this.now();
    if (!me || !this.sender || now - this.lastSent < TYPING_SEND_EVERY_MS) return false;
    if (!this.sender({ user_id: me.id, name: me.name })) return false;
    this.lastSent = now;
    return true;
  }

  dispose(): void {
    if (this.expiry !== null) this.timers.clearTimeout(this.expiry);
    this.expiry = null;
    this.sender = null;
  }

  /** Recomputes the names, forgets expired typists and wakes up at the next expiry. */
  private refresh(): void {
    const now = this.now();
    for (const [id, t] of this.typers) if (now - t.at >= TYPING_SHOWN_MS) this.typers.delete(id);
    const names = activeTypers(this.typers, now, this.options.me()?.id);
    if (names.join('\n') !== this.names.join('\n')) {
      this.names = names;
      for (const l of this.listeners) l();
    }
    if (this.expiry !== null) this.timers.clearTimeout(this.expiry);
    this.expiry = null;
    if (this.typers.size === 0) return;
    const next = Math.min(...[...this.typers.values()].map((t) => t.at + TYPING_SHOWN_MS)) - now;
    this.expiry = this.timers.setTimeout(
      () => {
        this.expiry = null;
        this.refresh();
      },
      Math.max(0, next),
    );
  }
}
