import { z } from 'zod';

import { REALTIME_EVENTS } from './realtime';

/**
 * Realtime events of gamification, published on the user's own channel
 * (`realtimeChannel.user`), typed by zod so clients parse rather than trust them (docs and
 * channel kinds: realtime-events.ts).
 */
export const GAMIFICATION_REALTIME_EVENTS = {
  levelUp: REALTIME_EVENTS.gamificationLevelUp,
  badgeAwarded: REALTIME_EVENTS.gamificationBadgeAwarded,
} as const;
export type GamificationRealtimeEventName = (typeof GAMIFICATION_REALTIME_EVENTS)[keyof typeof GAMIFICATION_REALTIME_EVENTS];

export const levelUpEventSchema = z
  .object({
    /** The community whose level rose; null for the user's site-wide (global) level. */
    community_id: z.number().int().nullable(),
    previous_level: z.number().int().min(1),
    level: z.number().int().min(1),
    points: z.number().int(),
    /** Points at which the next level starts; null at the top level. */
    next_level_at: z.number().int().nullable(),
  })
  .describe('the user reached a higher level (shown as a toast)');
export type LevelUpEvent = z.infer<typeof levelUpEventSchema>;

export const badgeAwardedEventSchema = z
  .object({
    community_id: z.number().int().nullable(),
    slug: z.string(),
    name: z.string(),
    icon: z.string(),
    awarded_at: z.string(),
  })
  .describe('the user earned a badge (once per badge and community)');
export type BadgeAwardedEvent = z.infer<typeof badgeAwardedEventSchema>;

export const gamificationRealtimeSchemas = {
  'gamification.level_up': levelUpEventSchema,
  'gamification.badge_awarded': badgeAwardedEventSchema,
} as const satisfies Record<GamificationRealtimeEventName, z.ZodType>;
