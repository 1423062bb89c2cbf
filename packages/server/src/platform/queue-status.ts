import { JOB_STATES, type JobFailure, type QueueStatus } from './queue';

const line = (j: JobFailure, retrying: boolean) =>
  `  ${j.kind} #${j.id}  attempt ${j.attempts}/${j.max_attempts}` +
  (retrying ? `  next ${j.next_run_at ?? '?'}` : `  died ${j.failed_at ?? '?'}`) +
  `  ${(j.error ?? '').replace(/\s+/g, ' ').slice(0, 300)}`;

/** `communities jobs:status` as text: one table of counts, then retries, then dead jobs. */
export function formatQueueStatus(s: QueueStatus): string {
  const kinds = Object.keys(s.kinds).sort();
  const width = Math.max(4, ...kinds.map((k) => k.length));
  const out = [`queue driver: ${s.driver}`, '', ['kind'.padEnd(width), ...JOB_STATES.map((st) => st.padStart(9))].join('  ')];
  for (const k of kinds) out.push([k.padEnd(width), ...JOB_STATES.map((st) => String(s.kinds[k]![st]).padStart(9))].join('  '));
  if (kinds.length === 0) out.push('(no jobs yet)');
  out.push('', `retrying (failed, will run again after the backoff): ${s.retrying.length ? '' : 'none'}`);
  for (const j of s.retrying) out.push(line(j, true));
  out.push('', `dead (failed on their last attempt, newest first): ${s.failures.length ? '' : 'none'}`);
  for (const j of s.failures) out.push(line(j, false));
  return out.join('\n');
}
