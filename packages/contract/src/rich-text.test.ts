import { describe, expect, it } from 'vitest';

import { safeLink } from './links';
import { extractMentions, extractRoleMentions, mentionsEveryone, plainText } from './markdown';
import { RICH_TEXT_FIXTURES, XSS_INPUTS } from './rich-text.fixtures';
import { parseRichText, walkInlines, type RichBlock, type RichInline } from './rich-text';

const SITE = 'https://school.example/communities/maths/channels/general';

/** Every node of a tree, blocks and inlines, for checks that must hold everywhere. */
function nodes(doc: readonly RichBlock[]): (RichBlock | RichInline)[] {
  const out: (RichBlock | RichInline)[] = [];
  const block = (b: RichBlock) => {
    out.push(b);
    if (b.type === 'quote') b.children.forEach(block);
    if (b.type === 'list') b.items.flat().forEach(block);
  };
  doc.forEach(block);
  walkInlines(doc, (n) => out.push(n));
  return out;
}

/** Where a browser on the addon's page would really go: judged by the WHATWG URL parser. */
function browserTarget(href: string): URL {
  return new URL(href, SITE);
}

describe('parseRichText golden fixtures', () => {
  it.each(RICH_TEXT_FIXTURES.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    expect(parseRichText(f.source)).toEqual(f.expected);
  });

  it('produces plain data: a JSON round trip changes nothing', () => {
    for (const f of RICH_TEXT_FIXTURES) {
      const doc = parseRichText(f.source);
      expect(JSON.parse(JSON.stringify(doc))).toStrictEqual(doc);
    }
  });
});

describe('safeLink', () => {
  it.each([
    ['https://example.com/a?b=1#c', 'external', 'https://example.com/a?b=1#c'],
    ['HTTP://example.com', 'external', 'http://example.com'],
    ['mailto:ana@school.example', 'external', 'mailto:ana@school.example'],
    ['/communities', 'internal', '/communities'],
    ['/communities/maths/feed?x=1', 'internal', '/communities/maths/feed?x=1'],
    ['/dm/12', 'internal', '/dm/12'],
  ])('allows %s', (href, kind, normalised) => {
    expect(safeLink(href)).toEqual({ kind, href: normalised });
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    ' javascript:alert(1)',
    '\u0000javascript:alert(1)',
    '&#106;avascript:alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'ftp://example.com',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    'https:evil.example',
    'https:/evil.example',
    'https://',
    'mailto:',
    '/admin',
    '/communitiesX',
    '/communities/../admin',
    '/communities/%2e%2e/admin',
    '/communities/%2E%2E%2Fadmin',
    '/communities/%zz',
    'communities/maths',
    '#top',
    '',
  ])('refuses %j', (href) => {
    expect(safeLink(href)).toBeNull();
  });

  it('agrees with the browser: what it allows stays on the site under the addon, or is http(s)/mailto', () => {
    const tries = [
      '/communities/a/../b',
      '/dm/%2f%2fevil',
      '/communities//evil.example',
      'https://a@evil.example',
      'mailto:x@y.z?subject=hi',
    ];
    for (const href of tries) {
      const link = safeLink(href);
      if (!link) continue;
      const url = browserTarget(link.href);
      if (link.kind === 'internal') {
        expect(url.origin).toBe(new URL(SITE).origin);
        expect(url.pathname).toMatch(/^\/(communities|dm)(\/|$)/);
      } else expect(['http:', 'https:', 'mailto:']).toContain(url.protocol);
    }
  });
});

describe('rich text against XSS', () => {
  const TYPES = new Set([
    'paragraph',
    'code_block',
    'quote',
    'list',
    'text',
    'strong',
    'em',
    'strike',
    'code',
    'link',
    'mention',
    'role',
    'everyone',
    'break',
  ]);

  it.each(XSS_INPUTS.map((s) => [s]))('%j yields no unsafe link and no markup', (source) => {
    const doc = parseRichText(source);
    for (const n of nodes(doc)) {
      expect(TYPES).toContain(n.type);
      if (n.type !== 'link') continue;
      expect(safeLink(n.href)).toEqual({ kind: n.internal ? 'internal' : 'external', href: n.href });
      const url = browserTarget(n.href);
      if (n.internal) expect(url.origin).toBe(new URL(SITE).origin);
      else expect(['http:', 'https:', 'mailto:']).toContain(url.protocol);
    }
    // HTML the author typed is still there for the reader, as text: never dropped, never markup.
    const visible = JSON.stringify(doc);
    for (const tag of source.match(/<(script|img|iframe|a|svg)\b/g) ?? []) expect(visible).toContain(tag);
  });

  it('keeps a dangerous scheme out even where the text says it', () => {
    for (const source of XSS_INPUTS) {
      walkInlines(parseRichText(source), (n) => {
        if (n.type === 'link') expect(n.href).not.toMatch(/^\s*(javascript|vbscript|data|file):/i);
      });
    }
  });
});

describe('helpers over the tree', () => {
  it('finds the people, roles and @everyone a text pings, but not inside code', () => {
    const text =
      'hi @[Ana](user:12) @[B](user:7) @[Ana again](user:12) @[Mods](role:moderator) `@[C](user:9) @everyone`\n\n```\n@[D](user:10)\n```';
    expect(extractMentions(text)).toEqual([12, 7]);
    expect(extractRoleMentions(text)).toEqual(['moderator']);
    expect(mentionsEveryone(text)).toBe(false);
    expect(mentionsEveryone('> heads up @everyone')).toBe(true);
    expect(mentionsEveryone('write to team@everyone.example')).toBe(false);
    // What the apps show as a mention is what pings, however it was typed.
    expect(extractMentions('&#64;[Ana](user:12)')).toEqual([12]);
    expect(mentionsEveryone('&#64;everyone')).toBe(true);
    expect(parseRichText('&#64;everyone')).toEqual([{ type: 'paragraph', children: [{ type: 'everyone', text: '@everyone' }] }]);
    // An autolink is a link (or, as here, not even that), never a mention.
    expect(extractMentions('@<user:12>')).toEqual([]);
    expect(parseRichText('@<user:12>')).toEqual([{ type: 'paragraph', children: [{ type: 'text', text: '@user:12' }] }]);
  });

  it('plainText drops syntax and code blocks, keeps names, and cuts long text', () => {
    expect(plainText('**Hi** @[Ana Lee](user:12), see [docs](https://x.example)\n\n```\ncode\n```\n- one\n- two')).toBe(
      'Hi @Ana Lee, see docs one two',
    );
    expect(plainText('a'.repeat(300), 10)).toBe(`${'a'.repeat(9)}…`);
    // Nesting no one types by hand still keeps its words.
    expect(plainText(`${'>'.repeat(30)} deep text`)).toBe('deep text');
    expect(plainText(`${'*'.repeat(60)}x${'*'.repeat(60)}`)).toContain('x');
  });
});
