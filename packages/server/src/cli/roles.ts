import type { CommunitiesConfig } from '@communities/contract';

/** What a `communities serve` process plays. */
export const ROLES = ['api', 'gateway', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export const DEFAULT_ROLES = 'api,gateway,worker';

export class RolesError extends Error {
  readonly code = 'invalid_roles';
}

/** `--roles api,gateway` → the set; an unknown or empty list is refused with the accepted names. */
export function parseRoles(list: string): Set<Role> {
  const names = list
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !(ROLES as readonly string[]).includes(n));
  if (bad.length || names.length === 0)
    throw new RolesError(`--roles: ${bad.length ? `unknown role ${bad.join(', ')}` : 'no role given'}; roles are ${ROLES.join(', ')}`);
  return new Set(names as Role[]);
}

/**
 * Refuses a split that would lose realtime pushes: the API reaches gateways in other processes
 * only through Redis (chat.driver = redis) or an external Pusher-protocol server (pusher), and
 * the gateway role is the built-in server (chat.driver = broadcast or redis).
 */
export function checkRoles(roles: Set<Role>, chat: Pick<CommunitiesConfig['chat'], 'driver'>, enabled: boolean): void {
  if (!enabled) return;
  const builtIn = chat.driver === 'broadcast' || chat.driver === 'redis';
  if (roles.has('gateway') && !builtIn)
    throw new RolesError(
      `--roles gateway runs the built-in gateway, but chat.driver is ${chat.driver}: use broadcast (one process) or redis, or drop the role`,
    );
  if (roles.has('api') && !roles.has('gateway') && chat.driver === 'broadcast')
    throw new RolesError(
      '--roles api without gateway needs chat.driver = redis (the API publishes to gateways through Redis) or pusher (an external server); with broadcast, run api,gateway in one process',
    );
}
