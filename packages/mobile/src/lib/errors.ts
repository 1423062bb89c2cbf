import { ApiError } from '@communities/client';

export type ErrorKind = 'unauthorized' | 'forbidden' | 'not_found' | 'offline' | 'rate_limited' | 'generic';

/** What a screen should say about a failed request; the 401 redirect itself happens in the API client. */
export function errorKind(error: unknown): ErrorKind {
  if (!(error instanceof ApiError)) return 'generic';
  if (error.isNetwork) return 'offline';
  if (error.status === 401) return 'unauthorized';
  if (error.status === 403) return 'forbidden';
  if (error.status === 404) return 'not_found';
  if (error.status === 429) return 'rate_limited';
  return 'generic';
}

/** The locales/ key that explains a failed request to the user. */
export function errorTextKey(kind: ErrorKind): string {
  if (kind === 'forbidden') return 'errors.no_access';
  if (kind === 'generic') return 'errors.try_again';
  return `errors.${kind}`;
}

/** Worth trying again automatically: the network or the server, never a refusal. */
export function isTransient(error: unknown): boolean {
  return error instanceof ApiError && (error.isNetwork || error.status >= 500);
}
