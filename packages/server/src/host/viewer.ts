import type { Actor } from '../access';
import type { HostUser } from './ports';

/** Who is calling: the host user, the actor the access engine sees, and how they signed in. */
export interface Viewer {
  actor: Actor;
  user: HostUser;
  authMethod: 'jwt' | 'session';
}
