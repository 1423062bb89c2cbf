import type { AddonMigration } from '../columns';

export const MIGRATIONS: AddonMigration[] = [];
