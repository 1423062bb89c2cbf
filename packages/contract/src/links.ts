/**
 * The one link policy of posts and messages, applied by the rich-text parser and again by
 * each renderer before it opens anything. A link is either external (http, https, mailto) or
 * internal: a path under the addon's own pages. Anything else is not a link.
 */
export type SafeLink = { kind: 'external'; href: string } | { kind: 'internal'; href: string };

/** The addon's own pages (see the web router): communities and direct messages. */
export const INTERNAL_LINK_ROOTS = ['/communities', '/dm'] as const;

// Browsers drop tabs and newlines inside URLs ("java\tscript:"), treat "\" as "/" ("/\evil"),
// and trim spaces and controls: a href containing any of them is refused rather than guessed at.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHAR = /[\u0000-\u0020\u007f-\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff\\]/;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const MAX_HREF = 2048;

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function internal(href: string): SafeLink | null {
  // "//host" and "/\host" leave the site; the backslash was refused above.
  if (!href.startsWith('/') || href.startsWith('//')) return null;
  const path = href.split(/[?#]/, 1)[0]!;
  const root = INTERNAL_LINK_ROOTS.find((r) => path === r || path.startsWith(`${r}/`));
  if (!root) return null;
  // "/communities/../admin" would resolve outside the addon: no dot segments, encoded or not.
  const segments = path.split('/').map(decodeSegment);
  if (segments.some((s) => s === null || s === '.' || s === '..' || s.includes('/') || s.includes('\\'))) return null;
  return { kind: 'internal', href };
}

/**
 * What a Markdown link target may become: an external http(s)/mailto URL (scheme lowercased),
 * an internal path under {@link INTERNAL_LINK_ROOTS}, or null (shown as plain text). It reads
 * the href as a browser would against any base (schemes are case-insensitive, "//x" is
 * another host) and refuses the characters browsers silently drop or rewrite.
 */
export function safeLink(href: string): SafeLink | null {
  if (!href || href.length > MAX_HREF || UNSAFE_CHAR.test(href)) return null;
  const scheme = SCHEME.exec(href);
  if (!scheme) return internal(href);
  const name = scheme[1]!.toLowerCase();
  const rest = href.slice(scheme[0].length);
  if (name === 'mailto') return /^[^/?#]+@[^/?#]+/.test(rest) ? { kind: 'external', href: `mailto:${rest}` } : null;
  if (name === 'http' || name === 'https') {
    // A host is required: "https:/x" or "https:?x" are not what they look like.
    return /^\/\/[^/?#]+/.test(rest) ? { kind: 'external', href: `${name}:${rest}` } : null;
  }
  return null;
}
