import { randomUUID } from 'node:crypto';

import type { DomainEvent, DomainEventName, DomainEventPayload } from '@communities/contract';

import type { Logger } from './logger';

export type EventHandler<N extends DomainEventName = DomainEventName> = (event: DomainEvent<N>) => Promise<void> | void;

/**
 * Domain events within a node. Handlers run after the publisher's transaction committed and
 * never fail the publisher: a handler error is logged. Handlers are idempotent where they
 * write (they key their writes by event or source id), so at-least-once is safe.
 */
export interface EventBus {
  publish<N extends DomainEventName>(name: N, payload: DomainEventPayload<N>): DomainEvent<N>;
  subscribe<N extends DomainEventName>(name: N | '*', handler: EventHandler<N>): () => void;
  /** Resolves when every handler of every event published so far has finished (tests, shutdown). */
  idle(): Promise<void>;
}

export class InProcessBus implements EventBus {
  private readonly handlers = new Map<string, Set<EventHandler>>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  publish<N extends DomainEventName>(name: N, payload: DomainEventPayload<N>): DomainEvent<N> {
    const event: DomainEvent<N> = { id: randomUUID(), name, payload, occurred_at: new Date().toISOString() };
    const targets = [...(this.handlers.get(name) ?? []), ...(this.handlers.get('*') ?? [])];
    for (const handler of targets) {
      const run = (async () => {
        try {
          await handler(event);
        } catch (error) {
          this.logger.error({ err: error, event: name, eventId: event.id }, 'domain event handler failed');
        }
      })();
      this.pending.add(run);
      void run.finally(() => this.pending.delete(run));
    }
    return event;
  }

  subscribe<N extends DomainEventName>(name: N | '*', handler: EventHandler<N>): () => void {
    const set = this.handlers.get(name) ?? new Set();
    set.add(handler as EventHandler);
    this.handlers.set(name, set);
    return () => set.delete(handler as EventHandler);
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
