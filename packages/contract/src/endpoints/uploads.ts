import { z } from 'zod';

import { endpoint, isoTime } from '../endpoint';

export const UPLOAD_PURPOSES = ['channel', 'dm', 'feed', 'community_icon', 'community_cover'] as const;
/**
 * `unscanned`: no scanner looked at it (the null scanner, development and demo only); it is
 * served like `clean`, but says truthfully that nobody checked it.
 */
export const SCAN_STATUSES = ['pending', 'clean', 'unscanned', 'infected', 'failed'] as const;
export type ScanStatus = (typeof SCAN_STATUSES)[number];
/** Whether a file in this state may be downloaded and shown. */
export const isServable = (status: ScanStatus): boolean => status === 'clean' || status === 'unscanned';
const kindParams = z.object({ kind: z.enum(['channel', 'dm']), id: z.coerce.number().int().positive() }).strict();

export const attachmentSchema = z.object({
  id: z.number().int(),
  /** Channel-side (channels, feed, community images) or DM attachments live in separate tables. */
  kind: z.enum(['channel', 'dm']),
  purpose: z.enum(UPLOAD_PURPOSES),
  original_name: z.string(),
  mime_type: z.string(),
  size: z.number().int(),
  scan_status: z.enum(SCAN_STATUSES),
  is_image: z.boolean(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  /** Present only once the file is servable: the scan said clean (or no scanner is configured: unscanned). */
  download_url: z.string().nullable(),
  thumbnail_url: z.string().nullable(),
  created_at: isoTime,
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const uploads = {
  upload: endpoint({
    method: 'POST',
    path: '/api/communities/uploads',
    summary: 'Upload one file (multipart field "file"); it is scanned before anyone can download it',
    tag: 'uploads',
    query: z
      .object({ purpose: z.enum(UPLOAD_PURPOSES).default('channel'), thread_id: z.coerce.number().int().positive().optional() })
      .strict(),
    raw: { request: 'multipart' },
    response: attachmentSchema,
    status: 201,
    errors: ['bad_request', 'request_timeout', 'payload_too_large', 'unsupported_media_type', 'rate_limited', 'not_found'],
  }),
  status: endpoint({
    method: 'GET',
    path: '/api/communities/uploads/:kind/:id',
    summary: "An upload's scan status and metadata",
    tag: 'uploads',
    params: kindParams,
    response: attachmentSchema,
    errors: ['not_found'],
  }),
  download: endpoint({
    method: 'GET',
    path: '/api/communities/uploads/:kind/:id/download',
    summary: 'The file, once clean, to those who may see where it was shared',
    tag: 'uploads',
    params: kindParams,
    raw: { response: 'binary' },
    response: z.unknown(),
    errors: ['not_found'],
  }),
  thumbnail: endpoint({
    method: 'GET',
    path: '/api/communities/uploads/:kind/:id/thumbnail',
    summary: 'A 320 px WebP thumbnail of a clean image',
    tag: 'uploads',
    params: kindParams,
    raw: { response: 'binary' },
    response: z.unknown(),
    errors: ['not_found'],
  }),
} as const;
