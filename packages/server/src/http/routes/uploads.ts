import { endpoints } from '@communities/contract';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { Transform, type Readable } from 'node:stream';

import { AppError } from '../../platform/errors';
import type { UploadService } from '../../security/uploads/service';
import { route, type RouteSpec } from '../route';

type WithFile = { file(): Promise<MultipartFile | undefined>; isMultipart(): boolean };

/** A multipart body busboy could not read (no boundary, cut short, too many parts): the client's error. */
function unreadable(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if ((error as { statusCode?: number }).statusCode === 413)
    return new AppError('payload_too_large', 'Send one file and nothing else', { details: { reason: 'too_many_parts' } });
  return new AppError('bad_request', 'The multipart body could not be read', { details: { reason: 'bad_multipart' } });
}

/**
 * Reads the upload's body under a stall guard: when the body makes no progress for `seconds`
 * (a stalled client, a body shorter than it said, a form that never closes its file part),
 * the file stream fails and the request answers 408 and closes the connection, instead of
 * waiting forever. The guard ends with the file, so sniffing and storing are not timed.
 */
async function guardedUpload<T>(
  raw: FastifyRequest,
  seconds: number,
  work: (file: { stream: Readable & { truncated?: boolean }; filename: string; fieldname: string } | undefined) => Promise<T>,
): Promise<T> {
  let part: MultipartFile | undefined;
  let bodyError: unknown = null;
  let abort!: (e: unknown) => void;
  const aborted = new Promise<never>((_, reject) => {
    abort = reject;
  });
  aborted.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const fail = (error: unknown) => {
    clearTimeout(timer);
    bodyError ??= error;
    part?.file.destroy();
    abort(unreadable(bodyError));
  };
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () =>
        fail(
          new AppError('request_timeout', `The upload sent nothing for ${seconds} seconds`, {
            details: { reason: 'upload_stalled', seconds },
            headers: { connection: 'close' },
          }),
        ),
      seconds * 1000,
    );
  };
  arm();
  try {
    part = await Promise.race([Promise.resolve().then(() => (raw as unknown as WithFile).file()), aborted]).catch((error: unknown) => {
      throw unreadable(error);
    });
    if (!part) {
      clearTimeout(timer);
      return await work(undefined);
    }
    const source = part.file;
    source.on('error', fail);
    // Every chunk re-arms the guard; the end of the file lifts it.
    const watched = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        arm();
        cb(null, chunk);
      },
      flush(cb) {
        clearTimeout(timer);
        cb();
      },
    });
    Object.defineProperty(watched, 'truncated', { get: () => source.truncated });
    source.pipe(watched);
    return await Promise.race([work({ stream: watched, filename: part.filename, fieldname: part.fieldname }), aborted]).catch(
      (error: unknown) => {
        throw bodyError ? unreadable(bodyError) : error;
      },
    );
  } finally {
    clearTimeout(timer);
  }
}

export function uploadRoutes(uploads: UploadService, stallSeconds: number): RouteSpec[] {
  const e = endpoints.uploads;
  const send = (which: 'file' | 'thumbnail') =>
    (async ({ viewer, params, reply }) => {
      const { row, stream } = await uploads.open(viewer.actor, params.kind, params.id, which);
      const image = which === 'thumbnail' || ['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(row.mime_type);
      const name = which === 'thumbnail' ? `${row.original_name.replace(/\.[^.]+$/, '')}.webp` : row.original_name;
      void reply
        .header('content-type', which === 'thumbnail' ? 'image/webp' : row.mime_type)
        .header('content-disposition', `${image ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(name)}`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, max-age=3600');
      if (which === 'file') void reply.header('content-length', String(row.size));
      await reply.send(stream);
      return undefined;
    }) satisfies RouteSpec<typeof e.download>['handler'];

  return [
    route({
      endpoint: e.upload,
      rateLimit: 'uploads',
      async handler({ viewer, query, raw }) {
        if (!(raw as unknown as WithFile).isMultipart())
          throw new AppError('unsupported_media_type', 'Send the file as multipart/form-data', { details: { reason: 'not_multipart' } });
        return guardedUpload(raw, stallSeconds, (file) => {
          if (!file || file.fieldname !== 'file') {
            throw new AppError('validation_failed', 'The request is not valid', {
              issues: [{ path: 'body.file', code: 'required', message: 'Send the file in a multipart field named "file"' }],
            });
          }
          return uploads.upload(viewer.actor, file, { purpose: query.purpose, threadId: query.thread_id });
        });
      },
    }),
    route({
      endpoint: e.status,
      handler: ({ viewer, params }) => uploads.status(viewer.actor, params.kind, params.id),
    }),
    route({
      endpoint: e.download,
      handler: send('file'),
    }),
    route({ endpoint: e.thumbnail, handler: send('thumbnail') }),
  ];
}
