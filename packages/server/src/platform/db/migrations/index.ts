import type { AddonMigration } from '../columns';

import { initial } from './0001_initial';

/** In order; names sort the same way they run. */
export const MIGRATIONS: AddonMigration[] = [initial];
