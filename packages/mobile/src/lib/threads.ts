import type { DmThread } from '@communities/contract';

/** A thread's name: its title, or the other participants' names. */
export function threadTitle(thread: Pick<DmThread, 'title' | 'participants'>, meId: number | undefined): string {
  if (thread.title) return thread.title;
  const others = thread.participants.filter((p) => p.id !== meId);
  return (others.length ? others : thread.participants).map((p) => p.name).join(', ');
}
