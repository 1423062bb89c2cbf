import { describe, expect, it } from 'vitest';

import { RedisScores } from './redis-scores';

describe('Redis leaderboard members', () => {
  it('sort so that reverse order puts the lower user id first among equal scores', () => {
    const members = [7, 42, 1_000_000, 3].map((u) => RedisScores.member(u));
    const reverseLex = [...members]
      .sort()
      .reverse()
      .map((m) => RedisScores.userOf(m));
    expect(reverseLex).toEqual([3, 7, 42, 1_000_000]);
  });
});
