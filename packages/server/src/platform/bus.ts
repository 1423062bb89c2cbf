/**
 * Domain events go through the transactional outbox (platform/events.ts): publishers record
 * them in their transaction, durable subscribers get them from the dispatcher, and work that
 * belongs to this process only (realtime) subscribes to the after-commit path.
 */
export { Outbox, type DurableSubscriber, type EventBus, type EventHandler } from './events';
