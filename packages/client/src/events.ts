import { parseRealtimeEvent, type RealtimeEventData, type RealtimeEventName } from '@communities/contract';

/** Anything that binds a handler to an event on a channel: a Realtime, or an app's shared hub. */
export interface RealtimeEventSource {
  on(channel: string, event: string, handler: (data: unknown) => void): () => void;
}

/** A payload that did not match its event's schema: dropped, and reported here. */
export interface InvalidRealtimeEvent {
  channel: string;
  name: string;
  error: string;
  data: unknown;
}

export interface OnEventOptions {
  /** Where dropped payloads are reported; console.warn unless told. */
  onInvalid?: (problem: InvalidRealtimeEvent) => void;
}

const warn = (p: InvalidRealtimeEvent) => console.warn(`realtime ${p.name} on ${p.channel} dropped: ${p.error}`);

/**
 * Calls `handler` with each `name` event on `channel`, parsed with the event's schema from the
 * contract: typed data, unknown fields dropped. A payload that does not match is dropped and
 * reported through `onInvalid`, never thrown into pusher-js. Returns the unbinding function.
 */
export function onEvent<N extends RealtimeEventName>(
  source: RealtimeEventSource,
  channel: string,
  name: N,
  handler: (data: RealtimeEventData<N>) => void,
  options: OnEventOptions = {},
): () => void {
  return source.on(channel, name, (raw) => {
    const r = parseRealtimeEvent(name, raw);
    if (r.ok) handler(r.data);
    else (options.onInvalid ?? warn)({ channel, name, error: r.error, data: raw });
  });
}
