import type { Socket } from 'node:net';

import type WebSocket from 'ws';

/**
 * What a Pusher client answers the server's `pusher:ping` with. The gateway pings a socket that
 * has sent nothing for `chat.activity_timeout_seconds` (120 s) and closes it 30 s later without
 * this answer, as Pusher's servers do; pusher-js answers, so every bench client that stays open
 * longer than that must too (the 10-minute sustained run lost all its sockets 150 s in without it).
 */
export const PUSHER_PONG = JSON.stringify({ event: 'pusher:pong', data: {} });

/** Whether buf[start, end) begins with `prefix`. */
export function startsWith(buf: Buffer, start: number, end: number, prefix: Buffer): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

/**
 * A text frame's payload, buf[start, end), read where it lies, with the time its read
 * returned: true when taken, false to hand it to the socket's 'message' listeners.
 */
export type OnText = (buf: Buffer, start: number, end: number, at: number) => boolean;

/** The one buffer every socket of this process reads into once leanReader has it: each read is parsed before the next. */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

/** net.Socket's own `onread` hook (Node's `onread: { buffer, callback }` option), found on a socket made without it. */
const onreadSymbols = (socket: Socket) => {
  const own = Object.getOwnPropertySymbols(socket);
  const buffer = own.find((x) => x.description === 'kBuffer');
  const callback = own.find((x) => x.description === 'kBufferCb');
  return buffer && callback ? { buffer, callback } : null;
};

/**
 * From now on this socket's frames are cut by a lean parser instead of ws's receiver: `onText`
 * sees each text frame in place, and those it does not take go to the socket's 'message'
 * listeners as before. ws's receive path costs about 9 µs per frame: 1,000 sockets at 100
 * messages/s took a whole core of the load generator, whose own queueing then showed as the
 * server's latency. Reads land in one shared buffer, as Node's `onread` socket option does,
 * so a read allocates nothing and skips the stream machinery (about 2 µs a read: a new Buffer,
 * Readable's push and its nextTick), and a frame is not sliced out. Both servers here send
 * unmasked, unfragmented text frames and no pings (Pusher pings are text); a close frame is
 * left to the bench's terminate(). Called once the socket is subscribed, before any message is
 * posted: ws holds no partial frame.
 */
export function leanReader(ws: WebSocket, onText?: OnText): void {
  const socket = (ws as unknown as { _socket: Socket })._socket;
  for (const fn of socket.listeners('data')) socket.off('data', fn as (d: Buffer) => void);
  let pending: Buffer | null = null;
  const onRead = (nread: number, chunk: Buffer) => {
    const at = performance.now();
    let buf = chunk;
    let end = nread;
    if (pending) {
      buf = Buffer.concat([pending, chunk.subarray(0, nread)]);
      end = buf.length;
      pending = null;
    }
    let i = 0;
    while (end - i >= 2) {
      const short = buf[i + 1]! & 0x7f;
      let head = 2;
      let len = short;
      if (short === 126) {
        if (end - i < 4) break;
        len = buf.readUInt16BE(i + 2);
        head = 4;
      } else if (short === 127) {
        if (end - i < 10) break;
        len = buf.readUInt32BE(i + 2) * 2 ** 32 + buf.readUInt32BE(i + 6);
        head = 10;
      }
      if (end - i < head + len) break;
      const from = i + head;
      i = from + len;
      if ((buf[from - head]! & 0x0f) === 1 && !onText?.(buf, from, i, at)) ws.emit('message', Buffer.from(buf.subarray(from, i)), false);
    }
    // A copy: the shared buffer is read into again.
    if (i < end) pending = Buffer.from(buf.subarray(i, end));
  };
  const hook = onreadSymbols(socket);
  const handle = (socket as unknown as { _handle?: { useUserBuffer?: (b: Buffer) => void } })._handle;
  if (hook && handle?.useUserBuffer) {
    handle.useUserBuffer(READ_BUFFER);
    const s = socket as unknown as Record<symbol, unknown>;
    s[hook.buffer] = READ_BUFFER;
    s[hook.callback] = onRead;
  } else socket.on('data', (chunk: Buffer) => onRead(chunk.length, chunk));
}
