import { AsyncLocalStorage } from 'node:async_hooks';

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

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs a request's handler with its own scope. */
export function runInRequestScope<T>(fn: () => Promise<T>): { scope: RequestScope; result: Promise<T> } {
  const scope: RequestScope = { actingAsOwner: null };
  return { scope, result: storage.run(scope, fn) };
}

/** The facts loader found the caller's owner grant for the community it loads: the request acts on the owner's behalf. */
export function markActingAsOwner(a: ActingAsOwner): void {
  const scope = storage.getStore();
  if (scope && !scope.actingAsOwner) scope.actingAsOwner = a;
}
