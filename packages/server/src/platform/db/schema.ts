import type { Insertable, Selectable, Updateable } from 'kysely';

import type {
  ChannelMessageAttachmentsTable,
  ChannelMessagesTable,
  ChannelsTable,
  CentralFeedCommentsTable,
  CentralFeedItemsTable,
  CommunitiesTable,
  CommunityMembersTable,
  CommunityRolesTable,
  Database,
  DmMessageAttachmentsTable,
  DmMessagesTable,
  DmThreadsTable,
} from './tables';

/**
 * Kysely's view of the addon's tables. The column lists live in `tables.ts`, generated from
 * what the migrations create (`npm run db:types`); this file only names the row shapes code uses.
 */
export type { Database } from './tables';
export { ADDON_TABLES } from './tables';

export type AddonTable = keyof Database;
export type Row<T extends AddonTable> = Selectable<Database[T]>;
export type NewRow<T extends AddonTable> = Insertable<Database[T]>;
export type RowUpdate<T extends AddonTable> = Updateable<Database[T]>;

export type CommunityRow = Selectable<CommunitiesTable>;
export type CommunityMemberRow = Selectable<CommunityMembersTable>;
export type CommunityRoleRow = Selectable<CommunityRolesTable>;
export type ChannelRow = Selectable<ChannelsTable>;
export type ChannelMessageRow = Selectable<ChannelMessagesTable>;
export type FeedItemRow = Selectable<CentralFeedItemsTable>;
export type FeedCommentRow = Selectable<CentralFeedCommentsTable>;
export type DmThreadRow = Selectable<DmThreadsTable>;
export type DmMessageRow = Selectable<DmMessagesTable>;
export type ChannelAttachmentRow = Selectable<ChannelMessageAttachmentsTable>;
export type DmAttachmentRow = Selectable<DmMessageAttachmentsTable>;
