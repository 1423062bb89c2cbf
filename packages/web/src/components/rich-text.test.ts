import { parseRichText, safeLink, type RichBlock } from '@communities/contract';
import { RICH_TEXT_FIXTURES, XSS_INPUTS, richTextSummary, type RichTextSummary } from '@communities/contract/rich-text.fixtures';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';

import { RichText, RichTextView } from './rich-text';

interface El {
  tag: string;
  attrs: Record<string, string>;
  children: (El | string)[];
}

const decode = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|#x27|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#x27': "'", '#39': "'" })[e]!);

/** React's static markup (well-formed, every attribute quoted) read back into a tree. */
function readMarkup(html: string): El {
  const root: El = { tag: '#root', attrs: {}, children: [] };
  const stack = [root];
  for (const m of html.matchAll(/<(\/?)([a-z][a-z0-9]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*(\/?)>|([^<]+)/g)) {
    const top = stack[stack.length - 1]!;
    if (m[5] !== undefined) top.children.push(decode(m[5]));
    else if (m[1]) stack.pop();
    else {
      const attrs: Record<string, string> = {};
      for (const a of m[3]!.matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) attrs[a[1]!] = decode(a[2] ?? '');
      const el: El = { tag: m[2]!, attrs, children: [] };
      top.children.push(el);
      if (!m[4] && m[2] !== 'br') stack.push(el);
    }
  }
  expect(stack).toHaveLength(1);
  return root;
}

const textOf = (n: El | string): string => (typeof n === 'string' ? n : n.tag === 'br' ? '\n' : n.children.map(textOf).join(''));

function elements(n: El): El[] {
  return [n, ...n.children.flatMap((c) => (typeof c === 'string' ? [] : elements(c)))];
}

/** What a reader gets from the rendered page, in the terms of the contract's summary. */
function summarise(root: El): RichTextSummary {
  const all = elements(root);
  return {
    text: textOf(root),
    links: all.filter((e) => e.tag === 'a').map((a) => `${a.attrs.href} ${textOf(a)}`),
    mentions: all.filter((e) => e.attrs.class?.split(' ').includes('cm-mention')).map(textOf),
    codeBlocks: all.filter((e) => e.tag === 'pre').map(textOf),
  };
}

const render = (source: string) => readMarkup(renderToStaticMarkup(createElement(RichText, { source })));

describe('web RichText renders the golden fixtures', () => {
  it.each(RICH_TEXT_FIXTURES.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const root = render(f.source);
    expect(summarise(root)).toEqual(richTextSummary(f.expected));
    for (const a of elements(root).filter((e) => e.tag === 'a')) {
      // Internal links stay in the tab (the router takes them); the rest open apart, without referrer.
      if (a.attrs.href!.startsWith('/')) expect(a.attrs).toEqual({ href: a.attrs.href });
      else expect(a.attrs).toEqual({ href: a.attrs.href, target: '_blank', rel: 'noopener noreferrer nofollow ugc' });
    }
  });

  it('shows lists, quotes, code and strike as elements, not as Markdown text', () => {
    const root = render(RICH_TEXT_FIXTURES.find((f) => f.name === 'every construct at once')!.source);
    const tags = new Set(elements(root).map((e) => e.tag));
    for (const tag of ['strong', 'em', 's', 'code', 'pre', 'blockquote', 'ol', 'ul', 'li', 'a', 'span']) expect(tags).toContain(tag);
    expect(textOf(root)).not.toMatch(/\*\*|~~|```|^>/m);
  });
});

describe('web RichText against XSS', () => {
  const TAGS = new Set(['#root', 'div', 'p', 'br', 'strong', 'em', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'span']);
  // dir="auto" on the root: a message keeps its own direction inside a page of the other.
  const ATTRS = new Set(['class', 'dir', 'href', 'target', 'rel', 'start', 'data-lang', 'data-user-id', 'data-role']);

  it.each(XSS_INPUTS.map((s) => [s]))('%j renders only our elements, safe links and HTML as text', (source) => {
    const root = render(source);
    for (const e of elements(root)) {
      expect(TAGS).toContain(e.tag);
      for (const name of Object.keys(e.attrs)) expect(ATTRS).toContain(name);
      if (e.attrs.href !== undefined) expect(safeLink(e.attrs.href)?.href).toBe(e.attrs.href);
    }
    // The tags the author typed are on screen as text.
    for (const tag of source.match(/<(script|img|iframe|svg)\b/g) ?? []) expect(textOf(root)).toContain(tag);
  });

  it('re-checks links when given a tree from elsewhere', () => {
    const doc: RichBlock[] = [
      {
        type: 'paragraph',
        children: [
          { type: 'link', href: 'javascript:alert(1)', internal: false, children: [{ type: 'text', text: 'a' }] },
          { type: 'link', href: '//evil.example', internal: true, children: [{ type: 'text', text: 'b' }] },
        ],
      },
    ];
    const html = renderToStaticMarkup(createElement(RichTextView, { doc }));
    expect(html).toBe('<div class="cm-md" dir="auto"><p>ab</p></div>');
    expect(parseRichText('[a](javascript:alert(1))')).toEqual([{ type: 'paragraph', children: [{ type: 'text', text: 'a' }] }]);
  });
});
