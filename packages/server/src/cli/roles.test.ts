import { describe, expect, it } from 'vitest';

import { checkRoles, DEFAULT_ROLES, parseRoles, RolesError } from './roles';

describe('serve --roles', () => {
  it('reads a comma list, all three by default', () => {
    expect([...parseRoles(DEFAULT_ROLES)].sort()).toEqual(['api', 'gateway', 'worker']);
    expect([...parseRoles(' gateway , api ')].sort()).toEqual(['api', 'gateway']);
  });

  it('refuses unknown or no roles, naming the accepted ones', () => {
    expect(() => parseRoles('api,websocket')).toThrow(/unknown role websocket; roles are api, gateway, worker/);
    expect(() => parseRoles(' , ')).toThrow(RolesError);
  });

  it('refuses splits that would lose realtime pushes', () => {
    const check =
      (roles: string, driver: 'broadcast' | 'redis' | 'pusher' | 'database', enabled = true) =>
      () =>
        checkRoles(parseRoles(roles), { driver }, enabled);
    // The API reaches gateways elsewhere only through Redis or an external server.
    expect(check('api', 'broadcast')).toThrow(/api without gateway needs chat.driver = redis/);
    expect(check('api,worker', 'broadcast')).toThrow(RolesError);
    expect(check('api', 'redis')).not.toThrow();
    expect(check('api', 'pusher')).not.toThrow();
    expect(check('api', 'database')).not.toThrow();
    // The gateway role is the built-in server.
    expect(check('gateway', 'pusher')).toThrow(/chat.driver is pusher/);
    expect(check('api,gateway,worker', 'database')).toThrow(RolesError);
    expect(check('gateway', 'redis')).not.toThrow();
    expect(check('api,gateway', 'broadcast')).not.toThrow();
    expect(check('worker', 'broadcast')).not.toThrow();
    // The addon switched off serves no realtime at all.
    expect(check('gateway', 'pusher', false)).not.toThrow();
  });
});
