import { endpoints } from '@communities/contract';
import type { MultipartFile } from '@fastify/multipart';

import { AppError } from '../../platform/errors';
import type { UploadService } from '../../security/uploads/service';
import { route, type RouteSpec } from '../route';

type WithFile = { file(): Promise<MultipartFile | undefined> };

export function uploadRoutes(uploads: UploadService): RouteSpec[] {
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
      access: {
        signedIn:
          'any signed-in user may upload; where the file may be shared is checked when it is attached (DM uploads: thread participants only)',
      },
      rateLimit: 'uploads',
      async handler({ viewer, query, raw }) {
        const part = await (raw as unknown as WithFile).file();
        if (!part || part.fieldname !== 'file') {
          throw new AppError('validation_failed', 'The request is not valid', {
            issues: [{ path: 'body.file', code: 'required', message: 'Send the file in a multipart field named "file"' }],
          });
        }
        return uploads.upload(
          viewer.actor,
          { stream: part.file, filename: part.filename },
          { purpose: query.purpose, threadId: query.thread_id },
        );
      },
    }),
    route({
      endpoint: e.status,
      access: { signedIn: 'the service answers 404 unless the caller uploaded it or may read where it was shared' },
      handler: ({ viewer, params }) => uploads.status(viewer.actor, params.kind, params.id),
    }),
    route({
      endpoint: e.download,
      access: { signedIn: 'clean files only, to the uploader or readers of where it was shared (else 404)' },
      handler: send('file'),
    }),
    route({ endpoint: e.thumbnail, access: { signedIn: 'as the download: clean files only, readers only' }, handler: send('thumbnail') }),
  ];
}
