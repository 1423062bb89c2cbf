import { MENTION, ROLE_MENTION } from '@communities/contract';

/**
 * The safe Markdown subset of posts and messages, parsed to data that the screens render as
 * React Native <Text> (never HTML): bold, italic, strikethrough, inline code, code blocks,
 * block quotes, http(s) links, and mentions of people, roles and @everyone.
 */
export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'strong' | 'em' | 'strike'; children: Inline[] }
  | { kind: 'code'; text: string }
  | { kind: 'link'; href: string; children: Inline[] }
  | { kind: 'mention'; text: string; userId: number }
  | { kind: 'role'; text: string; slug: string }
  | { kind: 'everyone'; text: string };

export type Block = { kind: 'paragraph'; children: Inline[] } | { kind: 'code'; text: string } | { kind: 'quote'; children: Block[] };

/** Links open only on the web: no app schemes, javascript:, data: or files. */
export const isSafeUrl = (href: string): boolean => /^https?:\/\/[^\s]+$/i.test(href);

const INLINE = new RegExp(
  [
    /\\([\\`*_~[\]()>@!#-])/.source, // 1: an escaped character, kept literally
    /`([^`\n]+)`/.source, // 2: inline code
    MENTION.source, // 3, 4: @[Name](user:ID)
    ROLE_MENTION.source, // 5, 6: @[Role](role:slug)
    /(?<![\w@])@everyone\b/.source,
    /!?\[([^\]\n]+)\]\(([^()\s]+)\)/.source, // 7, 8: [label](url) (and images, shown as links)
    /\b(https?:\/\/[^\s<>()]*[^\s<>().,;:!?'"*_~])/.source, // 9: a bare URL, without trailing punctuation
    /\*\*(\S(?:[^\n]*?\S)?)\*\*/.source, // 10: bold
    /__(\S(?:[^\n]*?\S)?)__(?!\w)/.source, // 11: bold
    /~~(\S(?:[^\n]*?\S)?)~~/.source, // 12: strikethrough
    /\*(\S(?:[^\n*]*?\S)?)\*(?!\*)/.source, // 13: italic
    /(?<!\w)_(\S(?:[^\n_]*?\S)?)_(?!\w)/.source, // 14: italic (not inside snake_case)
  ].join('|'),
  'g',
);

const MAX_DEPTH = 4;

export function parseInline(source: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  const text = (t: string) => {
    if (!t) return;
    const last = out[out.length - 1];
    if (last?.kind === 'text') last.text += t;
    else out.push({ kind: 'text', text: t });
  };
  const push = (items: Inline[]) => {
    for (const item of items) {
      if (item.kind === 'text') text(item.text);
      else out.push(item);
    }
  };
  const inner = (s: string) => (depth < MAX_DEPTH ? parseInline(s, depth + 1) : [{ kind: 'text' as const, text: s }]);
  let at = 0;
  for (const m of source.matchAll(INLINE)) {
    text(source.slice(at, m.index));
    at = m.index + m[0].length;
    if (m[1] !== undefined) text(m[1]);
    else if (m[2] !== undefined) out.push({ kind: 'code', text: m[2] });
    else if (m[3] !== undefined) out.push({ kind: 'mention', text: `@${m[3]}`, userId: Number(m[4]) });
    else if (m[5] !== undefined) out.push({ kind: 'role', text: `@${m[5]}`, slug: m[6]! });
    else if (m[7] !== undefined) {
      const href = m[8]!;
      // An unsafe link keeps its label as plain text: nothing to tap.
      if (isSafeUrl(href)) out.push({ kind: 'link', href, children: inner(m[7]) });
      else push(inner(m[7]));
    } else if (m[9] !== undefined) out.push({ kind: 'link', href: m[9], children: [{ kind: 'text', text: m[9] }] });
    else if (m[10] !== undefined || m[11] !== undefined) out.push({ kind: 'strong', children: inner(m[10] ?? m[11]!) });
    else if (m[12] !== undefined) out.push({ kind: 'strike', children: inner(m[12]) });
    else if (m[13] !== undefined || m[14] !== undefined) out.push({ kind: 'em', children: inner(m[13] ?? m[14]!) });
    else out.push({ kind: 'everyone', text: m[0] });
  }
  text(source.slice(at));
  return out;
}

const FENCE = /^ {0,3}(```|~~~)/;
const QUOTE = /^ {0,3}> ?/;

/** Blocks: paragraphs (single line breaks kept), fenced code, and quotes (which may nest). */
export function parseMarkdown(source: string, depth = 0): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    const text = para.join('\n').trim();
    if (text) blocks.push({ kind: 'paragraph', children: parseInline(text) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const code: string[] = [];
      // An unclosed fence runs to the end, as in CommonMark.
      for (i++; i < lines.length && !lines[i]!.trimStart().startsWith(fence[1]!); i++) code.push(lines[i]!);
      blocks.push({ kind: 'code', text: code.join('\n') });
    } else if (QUOTE.test(line) && depth < MAX_DEPTH) {
      flush();
      const quoted: string[] = [];
      for (; i < lines.length && QUOTE.test(lines[i]!); i++) quoted.push(lines[i]!.replace(QUOTE, ''));
      i--;
      const children = parseMarkdown(quoted.join('\n'), depth + 1);
      if (children.length) blocks.push({ kind: 'quote', children });
    } else if (!line.trim()) flush();
    else para.push(line);
  }
  flush();
  return blocks;
}

/** The Markdown a composer inserts for a picked mention. */
export const mentionMarkup = (name: string, userId: number): string => `@[${name.replace(/[[\]\n]/g, '')}](user:${userId})`;

/** A message as text for the clipboard: Markdown kept, mentions as the names people see. */
export const copyText = (source: string): string =>
  source.replace(new RegExp(MENTION.source, 'g'), '@$1').replace(new RegExp(ROLE_MENTION.source, 'g'), '@$1');
