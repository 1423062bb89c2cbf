import { MENTION, ROLE_MENTION } from '@communities/contract';

export type Segment = { kind: 'text'; text: string } | { kind: 'mention'; text: string; userId: number } | { kind: 'role'; text: string };

const TOKENS = new RegExp(`${MENTION.source}|${ROLE_MENTION.source}|(?<!\\S)@everyone\\b`, 'g');

/**
 * Message Markdown as plain runs and mentions (`@[Name](user:ID)`, role mentions, @everyone).
 * The mobile screens show text, not rich Markdown: emphasis markers are dropped, links keep their label.
 */
export function segments(source: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of source.matchAll(TOKENS)) {
    if (m.index > last) out.push(...plain(source.slice(last, m.index)));
    if (m[1] !== undefined) out.push({ kind: 'mention', text: `@${m[1]}`, userId: Number(m[2]) });
    else out.push({ kind: 'role', text: m[3] !== undefined ? `@${m[3]}` : m[0] });
    last = m.index + m[0].length;
  }
  if (last < source.length) out.push(...plain(source.slice(last)));
  return out;
}

function plain(text: string): Segment[] {
  const cleaned = text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|~~)(.+?)\1/g, '$2')
    .replace(/`([^`]*)`/g, '$1');
  return cleaned ? [{ kind: 'text', text: cleaned }] : [];
}

/** The Markdown a composer inserts for a picked mention. */
export const mentionMarkup = (name: string, userId: number): string => `@[${name.replace(/[[\]\n]/g, '')}](user:${userId})`;

/** A message as text for the clipboard: Markdown kept, mentions as the names people see. */
export const copyText = (source: string): string =>
  source.replace(new RegExp(MENTION.source, 'g'), '@$1').replace(new RegExp(ROLE_MENTION.source, 'g'), '@$1');
