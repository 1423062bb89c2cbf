// Placeholder: replaced by the full schema (one interface per table) in the migrations work.
export interface Database {
  communities: { id: number; slug: string; name: string };
}
export const ADDON_TABLES: readonly string[] = ['communities'];
