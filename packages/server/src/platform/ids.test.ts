import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';

import { timeOrderedId } from './ids';

describe('timeOrderedId', () => {
  it('makes valid, unique UUIDv7s that sort in the order they were made, across pool refills', () => {
    const ids = Array.from({ length: 5000 }, () => timeOrderedId());
    for (const id of ids.slice(0, 50)) expect([validate(id), version(id)]).toEqual([true, 7]);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('carries the time it was made', () => {
    const before = Date.now();
    const id = timeOrderedId();
    const ms = Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1);
  });
});
