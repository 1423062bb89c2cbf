import { ApiError, type Api } from '@communities/client';
import type { DomainEvent, DomainEventName } from '@communities/contract';
import { expect } from 'vitest';

import type { TestServer } from './server';

let seq = 0;

/** A published community owned by `ownerId` (an instructor by default). */
export async function makeCommunity(
  s: TestServer,
  opts: { ownerId?: number; visibility?: 'public' | 'private' | 'hidden'; name?: string; settings?: Record<string, boolean> } = {},
) {
  const api = s.as(opts.ownerId ?? s.demo.instructorIds[0]!);
  seq++;
  return api.communities.create({
    body: {
      name: opts.name ?? `Test Community ${seq}`,
      visibility: opts.visibility ?? 'public',
      ...(opts.settings ? { settings: opts.settings } : {}),
    },
  });
}

/** Makes `userId` an active member (joins, and approves when the community asks for it). */
export async function addMember(s: TestServer, communityId: number, userId: number, role?: string) {
  const r = await s.as(userId).communities.join({ params: { id: String(communityId) }, body: {} });
  const owner = (await s.ctx.db.db.selectFrom('communities').select('owner_id').where('id', '=', communityId).executeTakeFirstOrThrow())
    .owner_id;
  if (r.status === 'pending')
    await s.as(owner).communities.decideRequest({ params: { id: String(communityId), userId, decision: 'approve' }, body: {} });
  if (role) await s.as(owner).communities.updateMember({ params: { id: String(communityId), userId }, body: { role } });
}

/** The API error a call fails with (fails the test when it succeeds). */
export async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  expect.fail('expected the call to fail');
}

export async function expectStatus(p: Promise<unknown>, status: number, code?: string): Promise<ApiError> {
  const e = await failure(p);
  expect(e.status).toBe(status);
  if (code) expect(e.code).toBe(code);
  return e;
}

/** Records domain events so tests can assert what was published after commit. */
export function recordEvents(s: TestServer) {
  const seen: DomainEvent[] = [];
  const off = s.ctx.bus.subscribe('*', (e) => {
    seen.push(e);
  });
  return {
    seen,
    of: <N extends DomainEventName>(name: N) => seen.filter((e) => e.name === name) as Array<DomainEvent<N>>,
    clear: () => {
      seen.length = 0;
    },
    off,
  };
}

export type { Api };
