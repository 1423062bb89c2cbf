let counter = 0;

/**
 * A client idempotency key for a send (the contract's `nonce`: 8–64 of [A-Za-z0-9_-]). Sending
 * again with the same nonce never duplicates a message; the server echoes it so the optimistic
 * copy can be matched with the real one. No crypto API needed (React Native has none by default).
 */
export function newNonce(): string {
  counter = (counter + 1) % 1_000_000;
  const random = Math.floor(Math.random() * 36 ** 8)
    .toString(36)
    .padStart(8, '0');
  return `m${Date.now().toString(36)}${counter.toString(36)}${random}`;
}
