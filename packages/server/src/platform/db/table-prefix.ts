import type { CommunitiesConfig } from '@communities/contract';

import { dialectOf } from './connect';

/** What an empty `database.table_prefix` becomes when the addon's tables live in RocketLMS's own database. */
export const HOST_DATABASE_PREFIX = 'cm_';

/**
 * The table prefix in effect. With `host.adapter = rocketlms`, no `host.database_url` and a
 * MariaDB/MySQL `database.url`, the addon's database *is* RocketLMS's, which has tables of its own (`badges`, `sessions`,
 * `notifications`, `groups`, `forums`, `settings`…): an empty prefix then means `cm_`, so no
 * addon table ever takes a name RocketLMS uses. Anywhere else an empty prefix means none.
 */
export function tablePrefix(config: {
  database: Pick<CommunitiesConfig['database'], 'url' | 'table_prefix'>;
  host: Pick<CommunitiesConfig['host'], 'adapter' | 'database_url'>;
}): string {
  if (config.database.table_prefix) return config.database.table_prefix;
  const sharesHost = config.host.adapter === 'rocketlms' && !config.host.database_url && dialectOf(config.database.url) === 'mysql';
  return sharesHost ? HOST_DATABASE_PREFIX : '';
}
