import type { CommunityDetail } from '@communities/contract';

import type { RealServer } from './server';

let n = 0;

/** A published community through the API, with its default channels, and members who joined. */
export async function seedCommunity(
  s: RealServer,
  options: { owner?: number; name?: string; visibility?: 'public' | 'private'; members?: number[]; description?: string } = {},
): Promise<CommunityDetail> {
  const owner = options.owner ?? s.demo.instructorIds[0]!;
  n += 1;
  const community = await s.as(owner).communities.create({
    body: {
      name: options.name ?? `Test community ${n}`,
      description: options.description ?? 'A place to learn together.',
      visibility: options.visibility ?? 'public',
    },
  });
  for (const id of options.members ?? []) {
    if (options.visibility === 'private') continue;
    await s.as(id).communities.join({ params: { id: String(community.id) }, body: {} });
  }
  return community;
}
