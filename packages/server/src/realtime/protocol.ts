import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

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
  pongTimeout: 4201,
  clientEventRate: 4301,
  generic: 4200,
} as const;
