import MarkdownIt from 'markdown-it';

import { safeLink } from './links';

/**
 * The rich text of posts, comments and messages as a small serialisable tree, produced once
 * here (CommonMark via markdown-it) and only rendered by web and mobile.
 *
 * The subset: paragraphs, emphasis, strong, ~~strike~~, inline code, fenced and indented code
 * blocks, block quotes, ordered and bullet lists, links and autolinks (bare http(s) URLs and
 * e-mail addresses too), line
 * breaks (a single newline is a break: this is chat, not a document), and mentions:
 * `@[Name](user:12)`, `@[Moderators](role:moderator)` and `@everyone`.
 * Left out on purpose: raw HTML (kept as the text it is), images (`![alt](url)` shows as "!"
 * and a link to the image), headings (a bold paragraph: a "# Title" must not shout in a chat),
 * thematic breaks, reference definitions and tables (all plain text).
 * Links pass {@link safeLink}; a link that fails shows its label as plain text.
 */
export type RichInline =
  | { type: 'text'; text: string }
  | { type: 'strong' | 'em' | 'strike'; children: RichInline[] }
  | { type: 'code'; text: string }
  | { type: 'link'; href: string; internal: boolean; children: RichInline[] }
  | { type: 'mention'; userId: number; text: string }
  | { type: 'role'; slug: string; text: string }
  | { type: 'everyone'; text: string }
  | { type: 'break' };

export type RichBlock =
  | { type: 'paragraph'; children: RichInline[] }
  | { type: 'code_block'; lang: string | null; text: string }
  | { type: 'quote'; children: RichBlock[] }
  | { type: 'list'; ordered: boolean; start: number; items: RichBlock[][] };

type Token = ReturnType<MarkdownIt['parse']>[number];
type Styled = Extract<RichInline, { children: RichInline[] }>['type'];

const md = new MarkdownIt('commonmark', { html: false, linkify: true, breaks: true });
// The commonmark preset stops reading blocks nested deeper than 20 (quotes in lists in quotes...)
// and drops the rest; 100, as in markdown-it's default preset, keeps any real message whole.
// Deeper inline nesting stays text. (The option is missing from markdown-it's types.)
Object.assign(md.options, { maxNesting: 100 });
md.enable(['strikethrough', 'linkify']);
// Bare URLs only with their scheme: "README.md" or "main.py" are file names, not sites.
md.linkify.set({ fuzzyLink: false });
md.disable(['image', 'reference', 'hr', 'html_block', 'html_inline']);
// Every link reaches the tree builder, which applies our own policy (one policy, one place).
md.validateLink = () => true;
// Keep hrefs as written (no percent-encoding or punycode), so the policy sees what a browser would.
md.normalizeLink = (url) => url;
md.normalizeLinkText = (text) => text;

/**
 * A second parser for the server's mention extraction (markdown.ts), which runs on every write:
 * the same blocks, code spans, escapes, entities, links and autolinks decide what a mention is,
 * but emphasis and strikethrough (which only style text, and cost quadratic time on `*a*a*a...`)
 * are off, and a link label ends at the first bracket (see {@link plainLinkLabel}), so `[[[[...`
 * costs linear time. A mention's name can hold no bracket, so no mention is lost; the trade,
 * checked against the full parser by a fuzz test: a link whose text holds brackets
 * (`[a [b] c](url)`) is text here, so a mention written inside its destination or title pings.
 */
const mentionMd = new MarkdownIt('commonmark', { html: false, linkify: true, breaks: true });
Object.assign(mentionMd.options, { maxNesting: 100 });
mentionMd.enable(['linkify']);
mentionMd.linkify.set({ fuzzyLink: false });
mentionMd.disable(['image', 'reference', 'hr', 'html_block', 'html_inline', 'emphasis', 'balance_pairs', 'fragments_join']);
mentionMd.validateLink = () => true;
mentionMd.normalizeLink = (url) => url;
mentionMd.normalizeLinkText = (text) => text;
// helpers is this instance's own copy: the full parser keeps markdown-it's label scan.
Object.assign(mentionMd.helpers, { parseLinkLabel: plainLinkLabel });

type InlineState = Parameters<MarkdownIt['helpers']['parseLinkLabel']>[0];

/**
 * markdown-it's parseLinkLabel for labels without brackets: the end of the label, or -1 at a
 * `[` outside code (markdown-it would count it as a nesting level, or refuse a nested link).
 * Each character is looked at by at most one label, the one opened by the bracket before it.
 */
function plainLinkLabel(state: InlineState, start: number): number {
  const oldPos = state.pos;
  let end = -1;
  state.pos = start + 1;
  while (state.pos < state.posMax) {
    const marker = state.src.charCodeAt(state.pos);
    if (marker === 0x5d /* ] */) end = state.pos;
    if (marker === 0x5d || marker === 0x5b /* [ */) break;
    state.md.inline.skipToken(state);
  }
  state.pos = oldPos;
  return end;
}

const USER_HREF = /^user:(\d{1,10})$/;
const ROLE_HREF = /^role:([a-z0-9][a-z0-9_-]{0,63})$/;
const MENTION_NAME = /^[^\]\n]{1,80}$/;
// Not part of a word or an address; "_" around it is left to emphasis (`__@everyone__` pings),
// so the mention parser, which keeps emphasis as text, reads it the same way.
const EVERYONE = /(?<![A-Za-z0-9@.+-])@everyone(?![A-Za-z0-9@-])/g;
const OPEN: Record<string, Styled> = { strong_open: 'strong', em_open: 'em', s_open: 'strike' };

/** The text a reader sees in some inlines: labels, mention names; a break is a space. */
export function inlineText(nodes: readonly RichInline[]): string {
  return nodes.map((n) => (n.type === 'break' ? ' ' : 'children' in n ? inlineText(n.children) : n.text)).join('');
}

interface Frame {
  type: Styled | 'root';
  href?: string;
  /** `<scheme:...>` or a bare URL: never a mention. */
  auto?: boolean;
  children: RichInline[];
}

/** A link that is really a mention: "@" right before `[Name](user:12)` or `[Role](role:slug)`. */
function mention(parent: RichInline[], href: string, label: RichInline[]): RichInline | null {
  const before = parent[parent.length - 1];
  const user = USER_HREF.exec(href);
  const role = user ? null : ROLE_HREF.exec(href);
  if (!(user || role) || before?.type !== 'text' || !before.text.endsWith('@')) return null;
  const name = inlineText(label);
  if (!MENTION_NAME.test(name) || label.some((n) => n.type === 'break')) return null;
  before.text = before.text.slice(0, -1);
  if (!before.text) parent.pop();
  return user ? { type: 'mention', userId: Number(user[1]), text: `@${name}` } : { type: 'role', slug: role![1]!, text: `@${name}` };
}

function inlines(tokens: readonly Token[]): RichInline[] {
  const stack: Frame[] = [{ type: 'root', children: [] }];
  const top = () => stack[stack.length - 1]!;
  for (const t of tokens) {
    const here = top().children;
    if (t.type === 'text' || t.type === 'text_special') here.push({ type: 'text', text: t.content });
    else if (t.type === 'code_inline') here.push({ type: 'code', text: t.content });
    else if (t.type === 'softbreak' || t.type === 'hardbreak') here.push({ type: 'break' });
    else if (OPEN[t.type]) stack.push({ type: OPEN[t.type]!, children: [] });
    else if (t.type === 'link_open') stack.push({ type: 'link', href: t.attrGet('href') ?? '', auto: t.info === 'auto', children: [] });
    else if (t.type.endsWith('_close') && stack.length > 1) {
      const frame = stack.pop()!;
      const parent = top().children;
      if (frame.type !== 'link') {
        if (frame.children.length) parent.push({ type: frame.type, children: frame.children } as RichInline);
        continue;
      }
      const href = frame.href!;
      const link = safeLink(href);
      const asMention = frame.auto ? null : mention(parent, href, frame.children);
      if (asMention) parent.push(asMention);
      else if (link) parent.push({ type: 'link', href: link.href, internal: link.kind === 'internal', children: frame.children });
      // Not a link we allow: its label stays, as text.
      else parent.push(...frame.children);
    }
  }
  // An unbalanced stack cannot come from markdown-it, but never lose text if it did.
  while (stack.length > 1) {
    const frame = stack.pop()!;
    top().children.push(...frame.children);
  }
  return tidy(stack[0]!.children, false);
}

/** Joins neighbouring text and finds @everyone in it (not inside links or code). */
function tidy(nodes: RichInline[], inLink: boolean): RichInline[] {
  const out: RichInline[] = [];
  const text = (s: string) => {
    if (!s) return;
    const last = out[out.length - 1];
    if (last?.type === 'text') last.text += s;
    else out.push({ type: 'text', text: s });
  };
  for (const n of nodes) {
    if (n.type === 'text') text(n.text);
    else if ('children' in n) {
      const children = tidy(n.children, inLink || n.type === 'link');
      if (children.length) out.push({ ...n, children });
    } else out.push(n);
  }
  if (inLink) return out;
  return out.flatMap((n): RichInline[] => {
    if (n.type !== 'text' || !n.text.includes('@everyone')) return [n];
    const parts: RichInline[] = [];
    let at = 0;
    for (const m of n.text.matchAll(EVERYONE)) {
      if (m.index > at) parts.push({ type: 'text', text: n.text.slice(at, m.index) });
      parts.push({ type: 'everyone', text: m[0] });
      at = m.index + m[0].length;
    }
    if (at < n.text.length) parts.push({ type: 'text', text: n.text.slice(at) });
    return parts;
  });
}

function blocks(tokens: readonly Token[]): RichBlock[] {
  const root: RichBlock[] = [];
  const containers: RichBlock[][] = [root];
  const lists: Extract<RichBlock, { type: 'list' }>[] = [];
  const here = () => containers[containers.length - 1]!;
  let heading = false;
  for (const t of tokens) {
    switch (t.type) {
      case 'heading_open':
        heading = true;
        break;
      case 'heading_close':
        heading = false;
        break;
      case 'inline': {
        const children = inlines(t.children ?? []);
        if (children.length) here().push({ type: 'paragraph', children: heading ? [{ type: 'strong', children }] : children });
        break;
      }
      case 'fence':
      case 'code_block':
        here().push({ type: 'code_block', lang: t.info.trim().split(/\s+/)[0] || null, text: t.content.replace(/\n$/, '') });
        break;
      case 'blockquote_open': {
        const quote: RichBlock = { type: 'quote', children: [] };
        here().push(quote);
        containers.push(quote.children);
        break;
      }
      case 'bullet_list_open':
      case 'ordered_list_open': {
        const ordered = t.type === 'ordered_list_open';
        const list: RichBlock = { type: 'list', ordered, start: ordered ? Number(t.attrGet('start') ?? 1) : 1, items: [] };
        here().push(list);
        lists.push(list);
        break;
      }
      case 'list_item_open': {
        const item: RichBlock[] = [];
        lists[lists.length - 1]!.items.push(item);
        containers.push(item);
        break;
      }
      case 'blockquote_close':
      case 'list_item_close':
        containers.pop();
        break;
      case 'bullet_list_close':
      case 'ordered_list_close':
        lists.pop();
        break;
    }
  }
  return root;
}

/** Markdown source to the rich-text tree (see {@link RichInline}, {@link RichBlock}). */
export function parseRichText(source: string): RichBlock[] {
  return blocks(md.parse(source, {}));
}

/**
 * The tree as far as mentions go (mentions, roles, @everyone, links and code in the right
 * places; emphasis and strikethrough stay text), in time linear in the source: see `mentionMd`.
 */
export function parseMentionTree(source: string): RichBlock[] {
  return blocks(mentionMd.parse(source, {}));
}

/** Calls `visit` for every inline node, depth first (inside quotes and lists too). */
export function walkInlines(doc: readonly RichBlock[], visit: (node: RichInline) => void): void {
  const inline = (nodes: readonly RichInline[]) => {
    for (const n of nodes) {
      visit(n);
      if ('children' in n) inline(n.children);
    }
  };
  for (const b of doc) {
    if (b.type === 'paragraph') inline(b.children);
    else if (b.type === 'quote') walkInlines(b.children, visit);
    else if (b.type === 'list') for (const item of b.items) walkInlines(item, visit);
  }
}
