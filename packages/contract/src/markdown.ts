import { inlineText, parseMentionTree, parseRichText, walkInlines, type RichBlock } from './rich-text';

/**
 * Posts and messages are stored as Markdown source; `parseRichText` (rich-text.ts) turns it into
 * the tree both clients render. Mentions are written `@[Display Name](user:123)` so they survive
 * renames and edits; these helpers read the same tree, so a mention inside code never pings.
 */
export const MENTION = /@\[([^\]\n]{1,80})\]\(user:(\d{1,10})\)/g;

/** Role mentions are written `@[Moderators](role:moderator)`; they need the mention_everyone permission. */
export const ROLE_MENTION = /@\[([^\]\n]{1,80})\]\(role:([a-z0-9][a-z0-9_-]{0,63})\)/g;

// A write asks all three questions of one text: parse it once. The mention tree costs linear
// time in the text (see parseMentionTree), where the full tree can cost quadratic time.
let last: { source: string; doc: RichBlock[] } | null = null;
function doc(source: string | readonly RichBlock[]): readonly RichBlock[] {
  if (typeof source !== 'string') return source;
  if (last?.source !== source) last = { source, doc: parseMentionTree(source) };
  return last.doc;
}

// The server reads mentions of every message it lists: skip the parse when none can be there.
// A mention is "@" and an inline link, whose "](" is always literal (entities cannot spell syntax).
const mayMention = (source: string | readonly RichBlock[]) => typeof source !== 'string' || source.includes('](');
// "@everyone" may be written with an entity for "@" ("&#64;everyone"), which still reads as one.
const mayPingAll = (source: string | readonly RichBlock[]) => typeof source !== 'string' || source.includes('everyone');

/** The people a text mentions, in order, each once. */
export function extractMentions(source: string | readonly RichBlock[]): number[] {
  const ids = new Set<number>();
  if (!mayMention(source)) return [];
  walkInlines(doc(source), (n) => n.type === 'mention' && ids.add(n.userId));
  return [...ids];
}

export function extractRoleMentions(source: string | readonly RichBlock[]): string[] {
  const slugs = new Set<string>();
  if (!mayMention(source)) return [];
  walkInlines(doc(source), (n) => n.type === 'role' && slugs.add(n.slug));
  return [...slugs];
}

export function mentionsEveryone(source: string | readonly RichBlock[]): boolean {
  let found = false;
  if (!mayPingAll(source)) return false;
  walkInlines(doc(source), (n) => (found ||= n.type === 'everyone'));
  return found;
}

function blockText(b: RichBlock): string {
  if (b.type === 'paragraph') return inlineText(b.children);
  if (b.type === 'quote') return b.children.map(blockText).join(' ');
  if (b.type === 'list') return b.items.map((item) => item.map(blockText).join(' ')).join(' ');
  return ''; // code blocks say little in a one-line preview
}

/** The text without Markdown syntax, for previews and notifications. */
export function plainText(source: string, max = 200): string {
  // A preview needs the start only: long posts (up to 100 000 characters) are not parsed whole.
  const text = parseRichText(source.slice(0, Math.max(4000, max * 20)))
    .map(blockText)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * One emoji (with skin tones, ZWJ sequences and flags), as reactions allow. Built on first use:
 * engines without the `v` flag (older Hermes in React Native) fall back to a pictograph check
 * instead of failing when this module loads; the server, which decides, always has `v`.
 */
let emoji: RegExp | null = null;
function emojiPattern(): RegExp {
  if (emoji) return emoji;
  try {
    emoji = new RegExp('^\\p{RGI_Emoji}$', 'v');
  } catch {
    emoji =
      /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}{2})(?:\p{Emoji_Modifier}|\uFE0F|\u200D\p{Extended_Pictographic}\uFE0F?)*$/u;
  }
  return emoji;
}
export const isEmoji = (s: string): boolean => s.length <= 32 && emojiPattern().test(s);
