import { extractMentions, plainText, type Attachment } from '@communities/contract';
import { sql } from 'kysely';

import { userSummary } from '../communities/presenters';
import type { HostUser } from '../host/ports';
import type { ChannelAttachmentRow, DmAttachmentRow } from '../platform/db/schema';
import { ReusableListQuery } from '../platform/db/reusable';
import type { DbHandle } from '../platform/db/transaction';

import { authorCache } from './authors';
import type { ChatDeps } from './deps';

export type MessageKind = 'channel' | 'dm';

/** The columns channel and DM messages share. */
export interface MessageRowBase {
  id: number;
  user_id: number;
  content: string;
  metadata: string;
  reply_to_id: number | null;
  nonce: string | null;
  is_deleted: number;
  edited_at: string | null;
  created_at: string;
}

export interface MessageMeta {
  mentions: number[];
  mention_roles: string[];
}

/** What a post without mentions stores (most messages): read without JSON.parse. */
const PLAIN_META = '{"mentions":[],"mention_roles":[]}';

export function parseMessageMeta(json: string): MessageMeta {
  if (json === PLAIN_META) return { mentions: [], mention_roles: [] };
  try {
    const m = JSON.parse(json) as Partial<MessageMeta>;
    return { mentions: m.mentions ?? [], mention_roles: m.mention_roles ?? [] };
  } catch {
    return { mentions: [], mention_roles: [] };
  }
}

export const TABLES = {
  channel: { messages: 'channel_messages', reactions: 'channel_message_reactions', attachments: 'channel_message_attachments' },
  dm: { messages: 'dm_messages', reactions: 'dm_message_reactions', attachments: 'dm_message_attachments' },
} as const;

type Reaction = { emoji: string; count: number; me: boolean };

/** Reaction counts and "me" per message. */
function reactionsQuery(db: DbHandle, kind: MessageKind, ids: readonly number[], me: number) {
  // Both reaction tables have the same columns; the cast only picks one for the type checker.
  return db
    .selectFrom(TABLES[kind].reactions as 'channel_message_reactions')
    .select([
      'message_id',
      'emoji',
      (eb) => eb.fn.countAll<number>().as('n'),
      sql<number>`sum(case when user_id = ${me} then 1 else 0 end)`.as('mine'),
      (eb) => eb.fn.min('id').as('first'),
    ])
    .where('message_id', 'in', ids)
    .groupBy(['message_id', 'emoji'])
    .orderBy('first');
}

/** A page's files, in the order they were attached. */
function attachmentsQuery(db: DbHandle, kind: MessageKind, ids: readonly number[]) {
  // Both attachment tables have the same columns; the cast only picks one for the type checker.
  return db
    .selectFrom(TABLES[kind].attachments as 'dm_message_attachments')
    .selectAll()
    .where('message_id', 'in', ids)
    .orderBy('id');
}

/**
 * The page queries every history read runs, built and compiled once per database handle (and
 * list length) rather than per page: Kysely's building and compiling cost several times what
 * SQLite takes to answer them. A transaction's handle gets its own while it lasts.
 */
const compiled = new WeakMap<DbHandle, ReturnType<typeof compilePageQueries>>();
function compilePageQueries(db: DbHandle) {
  const me = -1;
  return {
    reactions: {
      channel: new ReusableListQuery(db, (d, ids, viewer: number) => reactionsQuery(d, 'channel', ids, viewer), [me] as [number]),
      dm: new ReusableListQuery(db, (d, ids, viewer: number) => reactionsQuery(d, 'dm', ids, viewer), [me] as [number]),
    },
    attachments: {
      channel: new ReusableListQuery(db, (d, ids) => attachmentsQuery(d, 'channel', ids), [] as []),
      dm: new ReusableListQuery(db, (d, ids) => attachmentsQuery(d, 'dm', ids), [] as []),
    },
  };
}
function pageQueries(db: DbHandle) {
  let q = compiled.get(db);
  if (!q) compiled.set(db, (q = compilePageQueries(db)));
  return q;
}

/** Reaction counts and "me" per message, in one query. */
export async function messageReactions(db: DbHandle, kind: MessageKind, ids: number[], me: number): Promise<Map<number, Reaction[]>> {
  const out = new Map<number, Reaction[]>();
  if (ids.length === 0) return out;
  const rows = await pageQueries(db).reactions[kind].execute(ids, me);
  for (const r of rows) {
    const list = out.get(r.message_id) ?? [];
    list.push({ emoji: r.emoji, count: Number(r.n), me: Number(r.mine) > 0 });
    out.set(r.message_id, list);
  }
  return out;
}

export interface Hydrated {
  users: Map<number, HostUser>;
  reactions: Map<number, Reaction[]>;
  attachments: Map<number, Attachment[]>;
  replies: Map<number, { id: number; user_id: number; content: string; is_deleted: number }>;
}

/**
 * Everything a page of messages needs, in four queries whatever its size: authors (with the
 * authors of replied-to messages), reactions, attachments and reply previews.
 */
export async function hydrateMessages(
  deps: {
    db: DbHandle;
    users: (ids: number[]) => Promise<Map<number, HostUser>>;
    attachment: (kind: MessageKind, row: ChannelAttachmentRow | DmAttachmentRow) => Attachment;
  },
  kind: MessageKind,
  rows: MessageRowBase[],
  me: number,
): Promise<Hydrated> {
  const ids = rows.map((r) => r.id);
  const replyIds = [...new Set(rows.map((r) => r.reply_to_id).filter((id): id is number => id !== null))];
  const [reactions, attachmentRows, replyRows] = await Promise.all([
    messageReactions(deps.db, kind, ids, me),
    pageQueries(deps.db).attachments[kind].execute(ids),
    replyIds.length
      ? deps.db
          .selectFrom(TABLES[kind].messages as 'dm_messages')
          .select(['id', 'user_id', 'content', 'is_deleted'])
          .where('id', 'in', replyIds)
          .execute()
      : Promise.resolve([]),
  ]);
  const users = await deps.users([...rows.map((r) => r.user_id), ...replyRows.map((r) => r.user_id)]);
  const attachments = new Map<number, Attachment[]>();
  for (const a of attachmentRows) {
    const list = attachments.get(a.message_id!) ?? [];
    list.push(deps.attachment(kind, a));
    attachments.set(a.message_id!, list);
  }
  return { users, reactions, attachments, replies: new Map(replyRows.map((r) => [r.id, r])) };
}

/** The fields channel and DM messages share, for one viewer. */
export function presentBase(
  r: MessageRowBase,
  h: Hydrated,
  opts: { showDeleted: boolean },
  meta: MessageMeta = parseMessageMeta(r.metadata),
) {
  const reply = r.reply_to_id !== null ? h.replies.get(r.reply_to_id) : undefined;
  const deleted = r.is_deleted === 1;
  return {
    id: r.id,
    author: userSummary(r.user_id, h.users),
    content: deleted && !opts.showDeleted ? null : r.content,
    deleted,
    reply_to: reply
      ? { id: reply.id, author: userSummary(reply.user_id, h.users), excerpt: reply.is_deleted ? null : plainText(reply.content, 140) }
      : null,
    mentions: meta.mentions.length ? meta.mentions : deleted ? [] : extractMentions(r.content),
    // A deleted message keeps no files in the API.
    attachments: deleted && !opts.showDeleted ? [] : (h.attachments.get(r.id) ?? []),
    reactions: deleted ? [] : (h.reactions.get(r.id) ?? []),
    nonce: r.nonce,
    created_at: r.created_at,
    edited_at: r.edited_at,
  };
}

/** Authors come from the host (through the author cache), except those the caller already holds (the poster). */
export function hydrationDeps(ctx: Pick<ChatDeps, 'clock' | 'config' | 'host' | 'services'>, known?: Map<number, HostUser>) {
  const authors = authorCache(ctx);
  return {
    users: async (ids: number[]) => {
      const missing = known ? ids.filter((id) => !known.has(id)) : ids;
      const found = missing.length ? await authors.users(missing) : new Map<number, HostUser>();
      return known ? new Map([...known, ...found]) : found;
    },
    attachment: (kind: MessageKind, row: ChannelAttachmentRow | DmAttachmentRow) => ctx.services.uploads.present(kind, row),
  };
}

/**
 * Moves a message's updated_at, by which changes catch-up finds it: for changes other than
 * an edit, such as a reaction or an attachment's finished scan.
 */
export async function touchMessage(db: DbHandle, table: 'channel_messages' | 'dm_messages', id: number, now: Date): Promise<void> {
  // Both message tables share these columns; the cast picks one for the type checker.
  await db
    .updateTable(table as 'channel_messages')
    .set({ updated_at: now.toISOString() })
    .where('id', '=', id)
    .execute();
}
