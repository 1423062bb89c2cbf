import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

import { SPEC, type AddonTable, type Spec } from './spec';

type Strip<K extends string> = K extends `${infer B}?` ? Strip<B> : K extends `${infer B}=${string}` ? B : K;
type Scalar<B extends string> = B extends 'ref' | 'int' | 'bigint' | 'bool' ? number : string;
type Col<K extends string> = K extends 'id'
  ? Generated<number>
  : K extends `${string}?`
    ? ColumnType<Scalar<Strip<K>> | null, Scalar<Strip<K>> | null | undefined, Scalar<Strip<K>> | null>
    : K extends `${string}=${string}`
      ? ColumnType<Scalar<Strip<K>>, Scalar<Strip<K>> | undefined, Scalar<Strip<K>>>
      : Scalar<Strip<K>>;

/** Kysely's view of the addon's tables, derived from the spec that migration 0001 creates. */
export type Database = {
  [T in AddonTable]: { [C in keyof Spec[T]['columns']]: Col<Spec[T]['columns'][C] & string> };
};

export type Row<T extends AddonTable> = Selectable<Database[T]>;
export type NewRow<T extends AddonTable> = Insertable<Database[T]>;
export type RowUpdate<T extends AddonTable> = Updateable<Database[T]>;

export type CommunityRow = Row<'communities'>;
export type CommunityMemberRow = Row<'community_members'>;
export type CommunityRoleRow = Row<'community_roles'>;
export type ChannelRow = Row<'channels'>;
export type ChannelMessageRow = Row<'channel_messages'>;
export type FeedItemRow = Row<'central_feed_items'>;
export type FeedCommentRow = Row<'central_feed_comments'>;
export type DmThreadRow = Row<'dm_threads'>;
export type DmMessageRow = Row<'dm_messages'>;
export type ChannelAttachmentRow = Row<'channel_message_attachments'>;
export type DmAttachmentRow = Row<'dm_message_attachments'>;

/** Every addon table name: the table-prefix plugin renames exactly these. */
export const ADDON_TABLES: readonly string[] = Object.keys(SPEC);
