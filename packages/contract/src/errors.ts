import { z } from 'zod';

/** Machine-readable error codes with the HTTP status each maps to. */
export const ERROR_STATUS = {
  validation_failed: 422,
  /** The word filter or a spam rule refused the text; details: ContentRejectedDetails. */
  content_rejected: 422,
  bad_request: 400,
  unauthenticated: 401,
  csrf_token_mismatch: 419,
  forbidden: 403,
  not_found: 404,
  feature_disabled: 404,
  conflict: 409,
  request_timeout: 408,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  service_unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export const errorIssueSchema = z.object({
  path: z.string().describe('dotted field path, e.g. body.name or query.limit'),
  code: z.string(),
  message: z.string(),
});
export type ErrorIssue = z.infer<typeof errorIssueSchema>;

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** Set on 500s so a log line can be found. */
    id: z.string().optional(),
    issues: z.array(errorIssueSchema).optional(),
    /** Extra machine-readable facts, e.g. retry_after seconds. */
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
