export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
/** ISO-8601 UTC, the one format our tables store times in. */
export const iso = (d: Date): string => d.toISOString();
export const toUnixSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);
