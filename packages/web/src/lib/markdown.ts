import { MENTION } from '@communities/contract';

export type Inline =
  | { kind: 'text' | 'strong' | 'em' | 'code'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'mention'; text: string; userId: number };

/**
 * The safe Markdown subset as data, rendered by React (which escapes text): no HTML is ever
 * produced from user input, and links keep only http(s) and mailto.
 */
export function parseInline(source: string): Inline[] {
  const out: Inline[] = [];
  const pattern = new RegExp(`${MENTION.source}|\\*\\*([^*]+)\\*\\*|\\*([^*]+)\\*|\`([^\`]+)\`|\\[([^\\]]+)\\]\\(([^)\\s]+)\\)`, 'g');
  let last = 0;
  for (const m of source.matchAll(pattern)) {
    if (m.index > last) out.push({ kind: 'text', text: source.slice(last, m.index) });
    if (m[1] !== undefined) out.push({ kind: 'mention', text: `@${m[1]}`, userId: Number(m[2]) });
    else if (m[3] !== undefined) out.push({ kind: 'strong', text: m[3] });
    else if (m[4] !== undefined) out.push({ kind: 'em', text: m[4] });
    else if (m[5] !== undefined) out.push({ kind: 'code', text: m[5] });
    else if (m[6] !== undefined) {
      const href = m[7]!;
      out.push(/^(https?:\/\/|mailto:|\/)/i.test(href) ? { kind: 'link', text: m[6], href } : { kind: 'text', text: m[0] });
    }
    last = m.index + m[0].length;
  }
  if (last < source.length) out.push({ kind: 'text', text: source.slice(last) });
  return out;
}
