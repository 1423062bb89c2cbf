import type { Readable } from 'node:stream';

import { isServable, type Attachment, type CommunitiesConfig, type ScanStatus } from '@communities/contract';
import sharp from 'sharp';

import { can, type Actor } from '../../access';
import type { FactsLoader } from '../../communities/facts';
import type { EventBus } from '../../platform/bus';
import type { Clock } from '../../platform/clock';
import { insertedId } from '../../platform/db/insert';
import type { ChannelAttachmentRow, DmAttachmentRow } from '../../platform/db/schema';
import { inTransaction, type DbHandle } from '../../platform/db/transaction';
import { AppError, notFound } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { Queue } from '../../platform/queue';
import { ScannerError, type Scanner } from '../scanners';
import type { FileStorage } from '../storage';

import { isImage, sanitizeName, sniffType, SNIFF_BYTES } from './sniff';

export type AttachmentKind = 'channel' | 'dm';
type Row = ChannelAttachmentRow | DmAttachmentRow;
export const SCAN_JOB = 'file.scan';

export interface UploadHooks {
  /** Realtime push of an attachment's final scan status to its uploader (upload.scanned; the composition fills this). */
  publishScanned?: (userId: number, attachment: Attachment) => void;
  /** The message an attachment belongs to changed: its scan finished (chat fills this). */
  messageTouched?: (kind: AttachmentKind, messageId: number) => Promise<void>;
  /** The feed post an attachment belongs to changed: its scan finished (the feed fills this). */
  feedItemTouched?: (feedItemId: number) => Promise<void>;
  /** Tell moderators about an infected file (the moderation issue fills this). */
  notifyModerators?: (a: Attachment, signature: string | null) => Promise<void>;
  /** The file name through the word filter: censored, or a 422 content_rejected (moderation fills this). */
  filterName?: (userId: number, name: string, kind: AttachmentKind) => Promise<string>;
}

/**
 * The upload pipeline: stream to temporary storage within the size limit, sniff the type from
 * the bytes, record the attachment as pending and queue a scan; the worker promotes clean
 * files, quarantines or deletes infected ones, and retries scanner failures until `failed`.
 * Nothing but `clean` (or `unscanned`, when no scanner is configured) is ever served.
 */
export class UploadService {
  constructor(
    private readonly deps: {
      db: DbHandle;
      config: CommunitiesConfig;
      storage: FileStorage;
      scanner: Scanner;
      queue: Queue;
      bus: EventBus;
      clock: Clock;
      logger: Logger;
      facts: FactsLoader;
      basePath: string;
      hooks?: UploadHooks;
    },
  ) {}

  private get db() {
    return this.deps.db;
  }

  get scanner(): Scanner {
    return this.deps.scanner;
  }

  /**
   * A community icon or cover must be the actor's own clean image upload made for that
   * purpose; a 422 names the field otherwise.
   */
  async assertCommunityImage(actor: Actor, id: number, field: 'icon_upload_id' | 'cover_upload_id'): Promise<void> {
    const row = await this.db.selectFrom('channel_message_attachments').selectAll().where('id', '=', id).executeTakeFirst();
    const purpose = field === 'icon_upload_id' ? 'community_icon' : 'community_cover';
    const problem =
      !row || (row.uploader_id !== actor.userId && !actor.isAdmin)
        ? 'No such upload of yours'
        : row.purpose !== purpose
          ? `Upload it with purpose=${purpose}`
          : !isImage(row.mime_type)
            ? 'It must be an image'
            : !isServable(row.scan_status as ScanStatus)
              ? `It is ${row.scan_status}; wait for the scan to finish`
              : null;
    if (problem)
      throw new AppError('validation_failed', 'The request is not valid', {
        issues: [{ path: `body.${field}`, code: 'invalid_upload', message: problem }],
      });
  }

  table(kind: AttachmentKind) {
    return kind === 'dm' ? ('dm_message_attachments' as const) : ('channel_message_attachments' as const);
  }

  present(kind: AttachmentKind, row: Row): Attachment {
    const base = `${this.deps.basePath}/api/communities/uploads/${kind}/${row.id}`;
    const clean = isServable(row.scan_status as ScanStatus);
    return {
      id: row.id,
      kind,
      purpose: (kind === 'dm' ? 'dm' : (row as ChannelAttachmentRow).purpose) as Attachment['purpose'],
      original_name: row.original_name,
      mime_type: row.mime_type,
      size: Number(row.size),
      scan_status: row.scan_status as Attachment['scan_status'],
      is_image: isImage(row.mime_type),
      width: row.width,
      height: row.height,
      download_url: clean ? `${base}/download` : null,
      thumbnail_url: clean && row.thumbnail_path ? `${base}/thumbnail` : null,
      created_at: row.created_at,
    };
  }

  async upload(
    actor: Actor,
    file: { stream: Readable & { truncated?: boolean }; filename: string | undefined },
    opts: { purpose: Attachment['purpose']; threadId?: number | undefined },
  ): Promise<Attachment> {
    const kind: AttachmentKind = opts.purpose === 'dm' ? 'dm' : 'channel';
    if (kind === 'dm') {
      if (!opts.threadId)
        throw new AppError('validation_failed', 'The request is not valid', {
          issues: [{ path: 'query.thread_id', code: 'required', message: 'DM uploads name their thread' }],
        });
      if (!(await this.isParticipant(actor.userId, opts.threadId))) throw notFound('No such conversation');
    }
    const stored = await this.deps.storage.putTemp(file.stream);
    // Busboy stops at the size limit and marks the stream truncated: the partial file goes.
    if (file.stream.truncated) {
      await this.deps.storage.delete(stored.key);
      throw new AppError('payload_too_large', `Files may be at most ${this.deps.config.file_scanner.max_file_size} bytes`, {
        details: { max_bytes: this.deps.config.file_scanner.max_file_size },
      });
    }
    const type = await sniffType(await this.deps.storage.readHead(stored.key, SNIFF_BYTES));
    if (!type || !this.deps.config.file_scanner.allowed_mimetypes.includes(type.mime)) {
      await this.deps.storage.delete(stored.key);
      throw new AppError('unsupported_media_type', 'This kind of file is not allowed', {
        details: { detected: type?.mime ?? 'unknown', allowed: this.deps.config.file_scanner.allowed_mimetypes },
      });
    }
    let width: number | null = null;
    let height: number | null = null;
    if (isImage(type.mime)) {
      try {
        const meta = await sharp(await this.readAll(stored.key), { limitInputPixels: 100_000_000 }).metadata();
        width = meta.width ?? null;
        height = meta.height ?? null;
      } catch {
        await this.deps.storage.delete(stored.key);
        throw new AppError('unsupported_media_type', 'The image could not be read', { details: { detected: type.mime } });
      }
    }
    const now = this.deps.clock.now().toISOString();
    const base = {
      uploader_id: actor.userId,
      path: stored.key,
      original_name: await this.filteredName(actor, sanitizeName(file.filename, type.ext), kind, stored.key),
      mime_type: type.mime,
      size: stored.size,
      sha256: stored.sha256,
      scan_status: 'pending',
      width,
      height,
      created_at: now,
      updated_at: now,
    };
    const id = await inTransaction(this.db, async (trx) => {
      const attachmentId =
        kind === 'dm'
          ? await insertedId(trx, trx.insertInto('dm_message_attachments').values({ ...base, thread_id: opts.threadId! }))
          : await insertedId(trx, trx.insertInto('channel_message_attachments').values({ ...base, purpose: opts.purpose }));
      await trx
        .insertInto('file_scan_jobs')
        .values({
          attachment_type: kind,
          attachment_id: attachmentId,
          status: 'pending',
          attempts: 0,
          run_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return attachmentId;
    });
    await this.deps.queue.enqueue(
      'scans',
      SCAN_JOB,
      { kind, id },
      { uniqueKey: `scan:${kind}:${id}`, maxAttempts: this.deps.config.file_scanner.max_attempts },
    );
    return this.present(kind, await this.row(kind, id));
  }

  private async readAll(key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.deps.storage.read(key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async row(kind: AttachmentKind, id: number): Promise<Row> {
    const row = await this.db.selectFrom(this.table(kind)).selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('No such upload');
    return row;
  }

  private async isParticipant(userId: number, threadId: number): Promise<boolean> {
    const p = await this.db
      .selectFrom('dm_participants')
      .select('id')
      .where('thread_id', '=', threadId)
      .where('user_id', '=', userId)
      .where('left_at', 'is', null)
      .executeTakeFirst();
    return p !== undefined;
  }

  /**
   * Who may see an upload: its uploader; for a DM file, the thread's current participants;
   * for a file in a message or post, whoever may read where it was shared. Others get 404.
   */
  async canRead(actor: Actor, kind: AttachmentKind, row: Row): Promise<boolean> {
    if (row.uploader_id === actor.userId) return true;
    if (kind === 'dm') {
      const r = row as DmAttachmentRow;
      if (r.thread_id === null || !(await this.isParticipant(actor.userId, r.thread_id))) return false;
      if (r.message_id === null) return false;
      const msg = await this.db.selectFrom('dm_messages').select('is_deleted').where('id', '=', r.message_id).executeTakeFirst();
      return msg !== undefined && msg.is_deleted === 0;
    }
    const r = row as ChannelAttachmentRow;
    if (r.message_id !== null) {
      const msg = await this.db
        .selectFrom('channel_messages')
        .select(['channel_id', 'is_deleted'])
        .where('id', '=', r.message_id)
        .executeTakeFirst();
      const channel = msg && msg.is_deleted === 0 ? await this.deps.facts.channel(msg.channel_id) : null;
      if (!channel) return false;
      const { access } = await this.deps.facts.forCommunity(actor, channel.row.community_id, { channel: channel.facts });
      return can(actor, 'channel.view', access).allowed;
    }
    if (r.feed_item_id !== null) {
      const item = await this.db
        .selectFrom('central_feed_items')
        .select(['community_id', 'deleted_at'])
        .where('id', '=', r.feed_item_id)
        .executeTakeFirst();
      if (!item || item.deleted_at) return false;
      if (item.community_id === null) return true;
      const { access } = await this.deps.facts.forCommunity(actor, item.community_id);
      return can(actor, 'feed.read', access).allowed;
    }
    if (r.purpose === 'community_icon' || r.purpose === 'community_cover') {
      const c = await this.db
        .selectFrom('communities')
        .select('id')
        .where((eb) => eb.or([eb('icon_upload_id', '=', r.id), eb('cover_upload_id', '=', r.id)]))
        .executeTakeFirst();
      if (!c) return false;
      const { access } = await this.deps.facts.forCommunity(actor, c.id);
      return can(actor, 'community.view', access).allowed;
    }
    return false;
  }

  async status(actor: Actor, kind: AttachmentKind, id: number): Promise<Attachment> {
    const row = await this.row(kind, id);
    if (!(await this.canRead(actor, kind, row))) throw notFound('No such upload');
    return this.present(kind, row);
  }

  /** The bytes of a clean upload (or its thumbnail) for a reader; 404 for anything else. */
  async open(actor: Actor, kind: AttachmentKind, id: number, which: 'file' | 'thumbnail'): Promise<{ row: Row; stream: Readable }> {
    const row = await this.row(kind, id);
    if (!isServable(row.scan_status as ScanStatus) || !(await this.canRead(actor, kind, row))) throw notFound('No such upload');
    const key = which === 'thumbnail' ? row.thumbnail_path : row.path;
    if (!key) throw notFound('No thumbnail');
    return { row, stream: await this.deps.storage.read(key) };
  }

  /** One scan: the worker's job handler. Throws to be retried; marks `failed` on the last try. */
  async scanOne(kind: AttachmentKind, id: number, attempt: number): Promise<void> {
    const row = await this.db.selectFrom(this.table(kind)).selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.scan_status !== 'pending') return;
    const now = () => this.deps.clock.now().toISOString();
    const job = (status: string, result: unknown, lastError: string | null = null) =>
      this.db
        .updateTable('file_scan_jobs')
        .set({
          status,
          attempts: attempt,
          result: result === null ? null : JSON.stringify(result),
          last_error: lastError,
          updated_at: now(),
        })
        .where('attachment_type', '=', kind)
        .where('attachment_id', '=', id)
        .execute();
    let verdict;
    try {
      verdict = await this.deps.scanner.scan(await this.deps.storage.read(row.path));
    } catch (error) {
      const message = error instanceof ScannerError ? error.message : `scan failed: ${(error as Error).message}`;
      const last = attempt >= this.deps.config.file_scanner.max_attempts;
      this.deps.logger.warn({ kind, id, attempt, last, err: error }, 'file scan failed');
      if (!last) {
        await job('pending', null, message);
        throw error;
      }
      await this.db
        .updateTable(this.table(kind))
        .set({
          scan_status: 'failed',
          scan_report: JSON.stringify({ error: message, attempts: attempt }),
          scanned_at: now(),
          updated_at: now(),
        })
        .where('id', '=', id)
        .execute();
      await job('failed', { error: message }, message);
      this.push(kind, { ...row, scan_status: 'failed' });
      return;
    }
    if (verdict.verdict === 'clean' || verdict.verdict === 'unscanned') {
      const status = verdict.verdict;
      const path = await this.deps.storage.promote(row.path);
      let thumb: string | null = null;
      if (isImage(row.mime_type)) {
        try {
          const data = await sharp(await this.readAll(path), { limitInputPixels: 100_000_000 })
            .rotate()
            .resize(320, 320, { fit: 'inside', withoutEnlargement: true })
            .webp({ quality: 80 })
            .toBuffer();
          thumb = await this.deps.storage.putBuffer('thumbs', data, 'webp');
        } catch (error) {
          this.deps.logger.warn({ kind, id, err: error }, 'thumbnail failed');
        }
      }
      await this.db
        .updateTable(this.table(kind))
        .set({
          scan_status: status,
          path,
          thumbnail_path: thumb,
          scan_report: JSON.stringify({ scanner: this.deps.scanner.name, verdict: status }),
          scanned_at: now(),
          updated_at: now(),
        })
        .where('id', '=', id)
        .execute();
      await job('done', { verdict: status });
      this.push(kind, { ...row, scan_status: status, path, thumbnail_path: thumb });
      return;
    }
    const quarantine = this.deps.config.file_scanner.on_infected === 'quarantine';
    const path = quarantine ? await this.deps.storage.quarantine(row.path) : (await this.deps.storage.delete(row.path), row.path);
    const report = {
      scanner: this.deps.scanner.name,
      verdict: 'infected',
      signature: verdict.signature ?? null,
      action: quarantine ? 'quarantined' : 'deleted',
    };
    await inTransaction(this.db, async (trx) => {
      await trx
        .updateTable(this.table(kind))
        .set({ scan_status: 'infected', path, scan_report: JSON.stringify(report), scanned_at: now(), updated_at: now() })
        .where('id', '=', id)
        .execute();
      await this.deps.bus.record(trx, 'FileFlagged', {
        community_id: null,
        user_id: row.uploader_id,
        attachment_type: kind,
        attachment_id: id,
        signature: verdict.signature ?? null,
      });
    });
    await job('done', report);
    const infected = { ...row, scan_status: 'infected', path };
    this.push(kind, infected);
    await this.deps.hooks?.notifyModerators?.(this.present(kind, infected), verdict.signature ?? null);
  }

  private async filteredName(actor: Actor, name: string, kind: AttachmentKind, key: string): Promise<string> {
    if (!this.deps.hooks?.filterName) return name;
    try {
      return await this.deps.hooks.filterName(actor.userId, name, kind);
    } catch (error) {
      // Refused: the stored bytes go too.
      await this.deps.storage.delete(key);
      throw error;
    }
  }

  private push(kind: AttachmentKind, row: Row): void {
    this.deps.hooks?.publishScanned?.(row.uploader_id, this.present(kind, row));
    if (row.message_id !== null)
      this.deps.hooks?.messageTouched?.(kind, row.message_id).catch((error: unknown) => {
        this.deps.logger.warn({ err: error, kind, id: row.id }, 'could not announce the scanned attachment');
      });
    const feedItemId = kind === 'channel' ? (row as ChannelAttachmentRow).feed_item_id : null;
    if (feedItemId !== null)
      this.deps.hooks?.feedItemTouched?.(feedItemId).catch((error: unknown) => {
        this.deps.logger.warn({ err: error, id: row.id }, 'could not announce the scanned feed attachment');
      });
  }
}
