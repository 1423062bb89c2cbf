import type { Kysely, Selectable } from 'kysely';

import { containsPattern, likeLower } from '../../platform/db/like';

import type { GlobalRole, HostUser, IdentityPort } from '../ports';

import type { HostDatabase } from './schema';

export interface IdentityOptions {
  baseUrl: string;
  roleMap: Record<string, GlobalRole>;
  now: () => Date;
}

/** An avatar path like `/store/1016/avatar/x.png` made absolute against the host's URL. */
export function absoluteUrl(baseUrl: string, path: string | null | undefined): string | null {
  if (!path || !path.trim()) return null;
  if (/^https?:\/\//i.test(path)) return path;
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** A users row as the identity query selects it: the host's columns plus the role's admin flag. */
type UserRow = Omit<Selectable<HostDatabase['users']>, 'role_id' | 'created_at'> & { is_admin: number | null };

export class RocketIdentities implements IdentityPort {
  constructor(
    private readonly db: Kysely<HostDatabase>,
    private readonly opts: IdentityOptions,
  ) {}

  private query() {
    return this.db
      .selectFrom('users')
      .leftJoin('roles', 'roles.id', 'users.role_id')
      .select([
        'users.id',
        'users.full_name',
        'users.username',
        'users.email',
        'users.role_name',
        'users.avatar',
        'users.status',
        'users.ban',
        'users.ban_start_at',
        'users.ban_end_at',
        'users.deleted_at',
        'users.timezone',
        'users.language',
        'roles.is_admin',
      ]);
  }

  present(row: UserRow): HostUser {
    const now = Math.floor(this.opts.now().getTime() / 1000);
    const isAdmin = Number(row.is_admin ?? 0) === 1;
    const banned =
      Number(row.ban) === 1 && (row.ban_start_at === null || row.ban_start_at <= now) && (row.ban_end_at === null || row.ban_end_at > now);
    const state: HostUser['state'] =
      row.deleted_at !== null
        ? 'deleted'
        : banned
          ? 'banned'
          : row.status === 'active'
            ? 'active'
            : row.status === 'pending'
              ? 'pending'
              : 'inactive';
    return {
      id: Number(row.id),
      name: row.full_name?.trim() || row.username || `User ${row.id}`,
      username: row.username,
      email: row.email,
      avatarUrl: absoluteUrl(this.opts.baseUrl, row.avatar),
      roleName: row.role_name,
      globalRole: isAdmin ? 'admin' : (this.opts.roleMap[row.role_name] ?? 'student'),
      isAdmin,
      state,
      locale: row.language,
      timezone: row.timezone,
    };
  }

  async getUsers(ids: readonly number[]): Promise<Map<number, HostUser>> {
    const unique = [...new Set(ids)].filter((id) => Number.isSafeInteger(id) && id > 0);
    const out = new Map<number, HostUser>();
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await this.query()
        .where('users.id', 'in', unique.slice(i, i + 500))
        .execute();
      for (const row of rows) out.set(Number(row.id), this.present(row));
    }
    return out;
  }

  async getUser(id: number): Promise<HostUser | null> {
    return (await this.getUsers([id])).get(id) ?? null;
  }

  async admins(limit: number): Promise<HostUser[]> {
    const rows = await this.query()
      .where('roles.is_admin', '=', 1)
      .where('users.deleted_at', 'is', null)
      .orderBy('users.id')
      .limit(limit)
      .execute();
    return rows.map((r) => this.present(r)).filter((u) => u.state === 'active');
  }

  async searchUsers(query: string, limit: number): Promise<HostUser[]> {
    const q = containsPattern(query);
    const rows = await this.query()
      .where((eb) => eb.or([likeLower('users.full_name', q), likeLower('users.username', q)]))
      .where('users.deleted_at', 'is', null)
      .orderBy('users.full_name')
      .limit(limit)
      .execute();
    return rows.map((r) => this.present(r));
  }
}
