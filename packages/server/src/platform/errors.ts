import { ERROR_STATUS, type ErrorCode, type ErrorIssue } from '@communities/contract';

/** An error the API reports as-is: a machine-readable code, an HTTP status and a safe message. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { issues?: ErrorIssue[]; details?: Record<string, unknown>; status?: number; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = extra.status ?? ERROR_STATUS[code];
  }
}

export const notFound = (what = 'Not found') => new AppError('not_found', what);
/** 403; `reason` (details.reason) lets clients tell refusals apart, as access decisions do. */
export const forbidden = (why = 'You are not allowed to do that', reason?: string) =>
  new AppError('forbidden', why, reason ? { details: { reason } } : {});
export const conflict = (why: string, details?: Record<string, unknown>) => new AppError('conflict', why, details ? { details } : {});
export const invalid = (path: string, message: string, code = 'invalid') =>
  new AppError('validation_failed', 'The request is not valid', { issues: [{ path, code, message }] });
export const rateLimited = (retryAfterSeconds: number) =>
  new AppError('rate_limited', 'Too many requests; slow down', {
    details: { retry_after: retryAfterSeconds },
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });
