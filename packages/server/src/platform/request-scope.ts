/** An admin acting through an "open as owner" grant in one community. */
export interface ActingAsOwner {
  grantId: number;
  communityId: number;
  ownerId: number;
  adminId: number;
}

/** What one HTTP request learns on its way through the services (see registerRoutes). */
export interface RequestScope {
  actingAsOwner: ActingAsOwner | null;
}

/**
 * The scope rides on the request's actor object, under a symbol key (a spread copy such as an
 * elevated `{ ...actor, isAdmin: true }` keeps it; JSON leaves it out), not in an
 * AsyncLocalStorage: on Node 20 that storage installs promise hooks that run on every promise
 * in the process, request or not (3 % of the CPU of a feed post, plus the garbage).
 */
const SCOPE = Symbol('requestScope');
type Scoped = { [SCOPE]?: RequestScope };

/** Gives a request's actor (none for an anonymous request) its own scope, for the request's handler. */
export function enterRequestScope(actor: object | undefined): RequestScope {
  const scope: RequestScope = { actingAsOwner: null };
  if (actor) (actor as Scoped)[SCOPE] = scope;
  return scope;
}

/** The facts loader found the actor's owner grant for the community it loads: the request acts on the owner's behalf. */
export function markActingAsOwner(actor: object, a: ActingAsOwner): void {
  const scope = (actor as Scoped)[SCOPE];
  if (scope && !scope.actingAsOwner) scope.actingAsOwner = a;
}
