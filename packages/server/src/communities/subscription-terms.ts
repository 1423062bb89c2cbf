/** Subscription statuses that hold a tier: active, or past due within the grace period. */
export const HOLDING = ['active', 'past_due'] as const;

/** When the expiry reminder goes out: this long before a paid term ends. */
export const REMINDER_BEFORE_MS = 3 * 86_400_000;

/**
 * The oldest `expires_at` that still opens doors at `now`: a lapsed term keeps access for the
 * grace period (status `past_due`), then none. ISO strings compare in time order.
 */
export function accessFloor(now: Date, graceHours: number): string {
  return new Date(now.getTime() - graceHours * 3_600_000).toISOString();
}
