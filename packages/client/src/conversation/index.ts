export { applyLiveEvent, endTypingOnMessage, followConversation, followPresence, type PresentMember } from './follow';
export {
  decodeRealtime,
  decodeTyping,
  type MessageDeleted,
  type MessagePinned,
  type MessageUpdated,
  type ReactionChanged,
  type ReadStateUpdated,
  type RealtimePayloads,
  type TypingSignal,
} from './decode';
export {
  ConversationMachine,
  SEND_TRANSITIONS,
  TRANSITIONS,
  WAITING_RETRY_MS,
  rateLimitWait,
  toggleReaction,
  type ConversationEvent,
  type SendEvent,
} from './machine';
export { newNonce } from './nonce';
export { slowModeUntil } from './slow-mode';
export { TYPING_EVENT, TYPING_SEND_EVERY_MS, TYPING_SHOWN_MS, TypingTracker, activeTypers, type TypingOptions } from './typing';
export type * from './types';
