import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

import { z } from 'zod';

/** Pusher Channels protocol 7: frames carry `data` as a JSON string; socket ids are `n.n`. */
export const PROTOCOL = 7;

export const newSocketId = (): string => `${randomInt(1, 2 ** 31)}.${randomInt(1, 2 ** 31)}`;

/** `key:hex(HMAC-SHA256(secret, socket_id:channel[:channel_data]))`, as the protocol defines. */
export function authSignature(key: string, secret: string, socketId: string, channel: string, channelData?: string): string {
  const payload = channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
  return `${key}:${createHmac('sha256', secret).update(payload).digest('hex')}`;
}

export function verifySignature(
  given: unknown,
  key: string,
  secret: string,
  socketId: string,
  channel: string,
  channelData?: string,
): boolean {
  if (typeof given !== 'string') return false;
  const want = Buffer.from(authSignature(key, secret, socketId, channel, channelData));
  const got = Buffer.from(given);
  return want.length === got.length && timingSafeEqual(want, got);
}

export const frame = (event: string, data: unknown, channel?: string): string =>
  JSON.stringify({ event, ...(channel ? { channel } : {}), data: typeof data === 'string' ? data : JSON.stringify(data) });

export const ERR = {
  appUnknown: 4001,
  unauthorized: 4009,
  /** 4100-4199: pusher-js reconnects after a back-off. */
  overCapacity: 4100,
  pongTimeout: 4201,
  clientEventRate: 4301,
  /** 4200-4299: pusher-js reconnects at once (and so resubscribes and catches up). */
  generic: 4200,
} as const;

/** Channel names as Pusher allows them. */
const channelName = z.string().regex(/^[A-Za-z0-9_\-=@,.;]{1,164}$/);

/**
 * What a client may send: one JSON object with a string `event`. `data` is an object or, as
 * some clients send it, that object as a JSON string; each event's data is checked below.
 */
export const clientFrameSchema = z.object({
  event: z.string().min(1).max(200),
  channel: z.string().max(200).optional(),
  data: z.unknown(),
});

export const subscribeDataSchema = z.object({
  channel: channelName,
  auth: z.string().max(1024).optional(),
  channel_data: z
    .string()
    .max(16 * 1024)
    .optional(),
});

export const unsubscribeDataSchema = z.object({ channel: channelName });

export const clientEventSchema = z.object({
  event: z.string().regex(/^client-[A-Za-z0-9_\-=@,.;:]{1,192}$/),
  channel: channelName,
  data: z.unknown(),
});

/** A presence subscription's signed channel_data. */
export const presenceMemberSchema = z.object({
  user_id: z.union([z.string().min(1).max(128), z.number().int().nonnegative()]).transform(String),
  user_info: z.unknown().optional(),
  /** People this member and the others do not see of each other (a block either way); signed with the rest. */
  hide: z
    .array(z.union([z.string().min(1).max(128), z.number().int().nonnegative()]).transform(String))
    .max(10_000)
    .optional(),
});
