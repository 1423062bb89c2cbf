import { parseChannelName } from '@communities/contract';

import { can, type Actor } from '../access';
import type { FactsLoader } from '../communities/facts';
import type { Viewer } from '../http/viewer';
import type { DbHandle } from '../platform/db/transaction';
import { AppError, notFound } from '../platform/errors';

import { authSignature } from './protocol';

/**
 * Whether a viewer may subscribe to a realtime channel: the same access engine as the REST
 * API. Unknown or invisible channels answer 404, visible-but-forbidden ones 403.
 */
export class ChannelAuthorizer {
  constructor(private readonly deps: { db: DbHandle; facts: FactsLoader; key: string; secret: string; prefix: string }) {}

  private async allowed(actor: Actor, kind: 'channel' | 'dm' | 'user' | 'community', id: number): Promise<boolean> {
    if (kind === 'user') return id === actor.userId;
    if (kind === 'dm') {
      const p = await this.deps.db
        .selectFrom('dm_participants')
        .select('id')
        .where('thread_id', '=', id)
        .where('user_id', '=', actor.userId)
        .where('left_at', 'is', null)
        .executeTakeFirst();
      return p !== undefined;
    }
    if (kind === 'community') {
      const { access } = await this.deps.facts.forCommunity(actor, id);
      return can(actor, 'members.list', access).allowed;
    }
    const channel = await this.deps.facts.channel(id);
    if (!channel) return false;
    const { access } = await this.deps.facts.forCommunity(actor, channel.row.community_id, { channel: channel.facts });
    const d = can(actor, 'channel.view', access);
    if (!d.allowed && d.status === 403)
      throw new AppError('forbidden', 'You may not subscribe to this channel', { details: { reason: d.reason } });
    return d.allowed;
  }

  async sign(viewer: Viewer, socketId: string, channelName: string): Promise<{ auth: string; channel_data?: string }> {
    const parsed = parseChannelName(channelName, this.deps.prefix);
    if (
      !parsed ||
      !(await this.allowed(viewer.actor, parsed.kind, parsed.id).catch((e: unknown) => {
        if (e instanceof AppError && e.code === 'forbidden') throw e;
        return false;
      }))
    ) {
      throw notFound('No such channel');
    }
    if (!parsed.presence) return { auth: authSignature(this.deps.key, this.deps.secret, socketId, channelName) };
    const channelData = JSON.stringify({
      user_id: String(viewer.user.id),
      user_info: { name: viewer.user.name, avatar_url: viewer.user.avatarUrl },
    });
    return { auth: authSignature(this.deps.key, this.deps.secret, socketId, channelName, channelData), channel_data: channelData };
  }
}
