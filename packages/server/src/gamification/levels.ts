import type { LevelInfo } from '@communities/contract';

/** The level a total reaches: thresholds[i] is where level i + 1 starts (thresholds[0] is 0). */
export function levelOf(points: number, thresholds: readonly number[]): number {
  let level = 1;
  for (let i = 1; i < thresholds.length; i++) if (points >= thresholds[i]!) level = i + 1;
  return level;
}

export function levelInfo(points: number, thresholds: readonly number[]): LevelInfo {
  const level = levelOf(points, thresholds);
  const at = thresholds[level - 1] ?? 0;
  const next = level < thresholds.length ? thresholds[level]! : null;
  const progress = next === null ? 1 : Math.min(1, Math.max(0, (points - at) / (next - at)));
  return { level, level_at: at, next_level_at: next, progress: Math.round(progress * 1000) / 1000 };
}
