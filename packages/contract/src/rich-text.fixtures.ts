import type { RichBlock, RichInline } from './rich-text';

/**
 * Golden inputs for rich text, shared by the contract parser test and the web and mobile
 * renderer tests: each platform must show the same text, links, mentions and code per case.
 */
export interface RichTextFixture {
  name: string;
  source: string;
  expected: RichBlock[];
}

const t = (text: string): RichInline => ({ type: 'text', text });
const p = (...children: RichInline[]): RichBlock => ({ type: 'paragraph', children });
const strong = (...children: RichInline[]): RichInline => ({ type: 'strong', children });
const em = (...children: RichInline[]): RichInline => ({ type: 'em', children });
const link = (href: string, ...children: RichInline[]): RichInline => ({
  type: 'link',
  href,
  internal: href.startsWith('/'),
  children,
});
const br: RichInline = { type: 'break' };

export const RICH_TEXT_FIXTURES: RichTextFixture[] = [
  { name: 'plain text', source: 'Hello there', expected: [p(t('Hello there'))] },
  {
    name: 'emphasis, strong, strike and inline code',
    source: '**bold** and *it* and _also_ and ~~gone~~ and `x = 1`',
    expected: [
      p(
        strong(t('bold')),
        t(' and '),
        em(t('it')),
        t(' and '),
        em(t('also')),
        t(' and '),
        {
          type: 'strike',
          children: [t('gone')],
        },
        t(' and '),
        { type: 'code', text: 'x = 1' },
      ),
    ],
  },
  { name: 'nested emphasis', source: '__very *much* so__', expected: [p(strong(t('very '), em(t('much')), t(' so')))] },
  {
    name: 'ordinary text stays text',
    source: 'my_var_name and 2 * 3 * 4 and \\*literal\\*',
    expected: [p(t('my_var_name and 2 * 3 * 4 and *literal*'))],
  },
  {
    name: 'single newlines break lines, blank lines split paragraphs',
    source: 'one\ntwo\n\n\nthree',
    expected: [p(t('one'), br, t('two')), p(t('three'))],
  },
  {
    name: 'fenced code keeps its text literally',
    source: 'Try:\n```js\nconst a = **1**; // @[A](user:1)\n  <b>x</b>\n```\ndone',
    expected: [p(t('Try:')), { type: 'code_block', lang: 'js', text: 'const a = **1**; // @[A](user:1)\n  <b>x</b>' }, p(t('done'))],
  },
  { name: 'indented code', source: 'Run\n\n    npm test', expected: [p(t('Run')), { type: 'code_block', lang: null, text: 'npm test' }] },
  {
    name: 'block quotes, nested',
    source: '> quoted **text**\n>> deeper\n\nafter',
    expected: [
      { type: 'quote', children: [p(t('quoted '), strong(t('text'))), { type: 'quote', children: [p(t('deeper'))] }] },
      p(t('after')),
    ],
  },
  {
    name: 'bullet and ordered lists',
    source: '- one\n- *two*\n\n3. three\n4. four',
    expected: [
      { type: 'list', ordered: false, start: 1, items: [[p(t('one'))], [p(em(t('two')))]] },
      { type: 'list', ordered: true, start: 3, items: [[p(t('three'))], [p(t('four'))]] },
    ],
  },
  {
    name: 'links, autolinks and bare URLs',
    source: '[the **docs**](https://example.com/a?b=1) <https://x.example> see www.example.org and notes.md. Mail me@school.org',
    expected: [
      p(
        link('https://example.com/a?b=1', t('the '), strong(t('docs'))),
        t(' '),
        link('https://x.example', t('https://x.example')),
        t(' see www.example.org and notes.md. Mail '),
        link('mailto:me@school.org', t('me@school.org')),
      ),
    ],
  },
  {
    name: 'internal links only under the addon',
    source: '[channel](/communities/maths/channels/general) [inbox](/dm/4) [admin](/admin) [up](/communities/../admin)',
    expected: [p(link('/communities/maths/channels/general', t('channel')), t(' '), link('/dm/4', t('inbox')), t(' admin up'))],
  },
  {
    name: 'people, roles and @everyone, also inside emphasis',
    source: 'hi @[Ana Lee](user:12), **@[Mods](role:moderator)** and @everyone, not me@everyone',
    expected: [
      p(
        t('hi '),
        { type: 'mention', userId: 12, text: '@Ana Lee' },
        t(', '),
        strong({ type: 'role', slug: 'moderator', text: '@Mods' }),
        t(' and '),
        { type: 'everyone', text: '@everyone' },
        t(', not me@everyone'),
      ),
    ],
  },
  {
    name: 'mentions in code are code',
    source: '`@[Ana](user:12) @everyone`',
    expected: [p({ type: 'code', text: '@[Ana](user:12) @everyone' })],
  },
  {
    name: 'a user link without "@" is not a mention, and not a link',
    source: '[Ana](user:12)',
    expected: [p(t('Ana'))],
  },
  {
    name: 'headings are bold paragraphs',
    source: '# Big news\nread on',
    expected: [p(strong(t('Big news'))), p(t('read on'))],
  },
  {
    name: 'images show as a link to the image',
    source: '![a cat](https://img.example/cat.png)',
    expected: [p(t('!'), link('https://img.example/cat.png', t('a cat')))],
  },
  {
    name: 'raw HTML is text',
    source: '<b onclick="x()">hi</b>\n\n<div>block</div>',
    expected: [p(t('<b onclick="x()">hi</b>')), p(t('<div>block</div>'))],
  },
  {
    name: 'unsafe links keep only their label',
    source: '[a](javascript:alert(1)) [b](//evil.example) [c](data:text/html,x) [d](&#106;avascript:alert(1))',
    expected: [p(t('a b c d'))],
  },
  {
    name: 'every construct at once',
    source:
      '# Week 3\nHi @[Ana Lee](user:12) and @[Tutors](role:tutor), @everyone: **read** *this*, ~~not that~~, `npm test`.\n\n> Quote with [a link](https://example.com)\n\n1. first\n2. second\n\n- [channel](/communities/maths/channels/general)\n\n```ts\nconst x = 1;\n```',
    expected: [
      p(strong(t('Week 3'))),
      p(
        t('Hi '),
        { type: 'mention', userId: 12, text: '@Ana Lee' },
        t(' and '),
        { type: 'role', slug: 'tutor', text: '@Tutors' },
        t(', '),
        { type: 'everyone', text: '@everyone' },
        t(': '),
        strong(t('read')),
        t(' '),
        em(t('this')),
        t(', '),
        { type: 'strike', children: [t('not that')] },
        t(', '),
        { type: 'code', text: 'npm test' },
        t('.'),
      ),
      { type: 'quote', children: [p(t('Quote with '), link('https://example.com', t('a link')))] },
      { type: 'list', ordered: true, start: 1, items: [[p(t('first'))], [p(t('second'))]] },
      { type: 'list', ordered: false, start: 1, items: [[p(link('/communities/maths/channels/general', t('channel')))]] },
      { type: 'code_block', lang: 'ts', text: 'const x = 1;' },
    ],
  },
];

/**
 * Attempts to get script, another site or HTML through rich text. No input may yield a link
 * outside {@link safeLink}'s policy or any markup: HTML only ever appears as text.
 */
export const XSS_INPUTS: string[] = [
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](<java\tscript:alert(1)>)',
  '[x](<java\nscript:alert(1)>)',
  '[x](&#106;avascript:alert(1))',
  '[x](&#x6A;avascript&#58;alert(1))',
  '[x](javascript&colon;alert(1))',
  '[x](%6Aavascript:alert(1))',
  '[x]( javascript:alert(1))',
  '[x](\u0001javascript:alert(1))',
  '[x](vbscript:msgbox(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](file:///etc/passwd)',
  '[x](//evil.example)',
  '[x](/\\evil.example)',
  '[x](\\\\evil.example)',
  '[x](/%5Cevil.example)',
  '[x](https:evil.example)',
  '[x](/communities/%2e%2e/%2e%2e/evil)',
  '<javascript:alert(1)>',
  '<//evil.example>',
  'see //evil.example and javascript:alert(1)',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[<img src=x onerror=alert(1)>](https://ok.example)',
  '[**<script>x</script>**](javascript:alert(1))',
  '`<script>alert(1)</script>`',
  '```\n<script>alert(1)</script>\n```',
  '> <iframe src="javascript:alert(1)">',
  '- <a href="javascript:alert(1)">x</a>',
  '@[<img src=x onerror=alert(1)>](user:1)',
  '@[x](user:1 "title")',
  '@[x](javascript:alert(1))',
  '![x](javascript:alert(1))',
  '![<svg onload=alert(1)>](https://ok.example/a.png)',
  '[x](https://ok.example "onmouseover=alert(1)")',
  '[x]: javascript:alert(1)\n\n[x]',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
];

/**
 * What a reader gets from a tree, for comparing renderers: all text in order (a line break is
 * "\n"), each link as "href label", each mention as shown, and the code blocks' text.
 */
export interface RichTextSummary {
  text: string;
  links: string[];
  mentions: string[];
  codeBlocks: string[];
}

export function richTextSummary(doc: readonly RichBlock[]): RichTextSummary {
  const out: RichTextSummary = { text: '', links: [], mentions: [], codeBlocks: [] };
  const label = (nodes: readonly RichInline[]): string =>
    nodes.map((n) => (n.type === 'break' ? '\n' : 'children' in n ? label(n.children) : n.text)).join('');
  const inline = (nodes: readonly RichInline[]) => {
    for (const n of nodes) {
      if (n.type === 'break') out.text += '\n';
      else if ('children' in n) {
        if (n.type === 'link') out.links.push(`${n.href} ${label(n.children)}`);
        inline(n.children);
      } else {
        out.text += n.text;
        if (n.type === 'mention' || n.type === 'role' || n.type === 'everyone') out.mentions.push(n.text);
      }
    }
  };
  const block = (b: RichBlock) => {
    if (b.type === 'paragraph') inline(b.children);
    else if (b.type === 'code_block') {
      out.text += b.text;
      out.codeBlocks.push(b.text);
    } else if (b.type === 'quote') b.children.forEach(block);
    else b.items.flat().forEach(block);
  };
  doc.forEach(block);
  return out;
}
