/**
 * Posts and messages are stored as Markdown source; clients render a safe subset (no raw
 * HTML, http/https/mailto links only). Mentions are written `@[Display Name](user:123)` so
 * they survive renames and edits; these helpers are shared by server, web and mobile.
 */
export const MENTION = /@\[([^\]\n]{1,80})\]\(user:(\d{1,10})\)/g;

export function extractMentions(source: string): number[] {
  const ids = new Set<number>();
  for (const m of source.matchAll(MENTION)) ids.add(Number(m[2]));
  return [...ids];
}

/** Role mentions are written `@[Moderators](role:moderator)`; they need the mention_everyone permission. */
export const ROLE_MENTION = /@\[([^\]\n]{1,80})\]\(role:([a-z0-9][a-z0-9_-]{0,63})\)/g;

export function extractRoleMentions(source: string): string[] {
  return [...new Set([...source.matchAll(ROLE_MENTION)].map((m) => m[2]!))];
}

export const mentionsEveryone = (source: string): boolean => /(^|\s)@everyone\b/.test(source);

/** The text without Markdown syntax, for previews and notifications. */
export function plainText(source: string, max = 200): string {
  const text = source
    .replace(MENTION, '@$1')
    .replace(ROLE_MENTION, '@$1')
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+/gm, '')
    .replace(/[*_~]{1,3}([^*_~]+)[*_~]{1,3}/g, '$1')
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
