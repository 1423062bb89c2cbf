import { describe, expect, it } from 'vitest';

import { decodeCursor, encodeCursor, pageOf } from './cursor';
import { AppError } from './errors';

describe('keyset cursors', () => {
  it('round-trip the sort key', () => {
    const c = encodeCursor({ at: '2026-11-24T00:00:00.000Z', id: 42 });
    expect(decodeCursor<{ at: string; id: number }>(c, { at: 'string', id: 'number' })).toEqual({ at: '2026-11-24T00:00:00.000Z', id: 42 });
    expect(decodeCursor(undefined, { id: 'number' })).toBeNull();
  });

  it('refuse damaged or foreign cursors with a 422 on query.cursor', () => {
    for (const bad of ['%%%', encodeCursor({ id: 'x' }), Buffer.from('[1]').toString('base64url')]) {
      try {
        decodeCursor(bad, { id: 'number' });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).status).toBe(422);
        expect((error as AppError).extra.issues?.[0]?.path).toBe('query.cursor');
      }
    }
  });

  it('trim the probe row and only offer a next page when there is one', () => {
    const rows = [{ id: 5 }, { id: 4 }, { id: 3 }];
    const full = pageOf(rows, 2, (r) => ({ id: r.id }));
    expect(full.items).toEqual([{ id: 5 }, { id: 4 }]);
    expect(decodeCursor(full.next_cursor!, { id: 'number' })).toEqual({ id: 4 });
    expect(pageOf(rows, 3, (r) => ({ id: r.id })).next_cursor).toBeNull();
  });
});
