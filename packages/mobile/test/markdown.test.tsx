import { describe, expect, it } from '@jest/globals';

import { copyText, parseInline, parseMarkdown } from '../src/lib/markdown';

const t = (text: string) => ({ kind: 'text', text });

describe('parseInline (the safe Markdown subset, as data)', () => {
  it('reads bold, italic, strikethrough and inline code, nested where it makes sense', () => {
    expect(parseInline('**bold** and *it* and ~~gone~~ and `x = 1`')).toEqual([
      { kind: 'strong', children: [t('bold')] },
      t(' and '),
      { kind: 'em', children: [t('it')] },
      t(' and '),
      { kind: 'strike', children: [t('gone')] },
      t(' and '),
      { kind: 'code', text: 'x = 1' },
    ]);
    expect(parseInline('__very *much* so__')).toEqual([
      { kind: 'strong', children: [t('very '), { kind: 'em', children: [t('much')] }, t(' so')] },
    ]);
    expect(parseInline('_quiet_')).toEqual([{ kind: 'em', children: [t('quiet')] }]);
  });

  it('leaves ordinary text alone: snake_case, lone stars, arithmetic, and code contents', () => {
    expect(parseInline('my_var_name and 2 * 3 * 4')).toEqual([t('my_var_name and 2 * 3 * 4')]);
    expect(parseInline('`**not bold** @[A](user:1)`')).toEqual([{ kind: 'code', text: '**not bold** @[A](user:1)' }]);
    expect(parseInline('\\*literal\\*')).toEqual([t('*literal*')]);
  });

  it('links only to http(s); other schemes keep their label as plain text', () => {
    expect(parseInline('[the **docs**](https://example.com/a?b=1)')).toEqual([
      { kind: 'link', href: 'https://example.com/a?b=1', children: [t('the '), { kind: 'strong', children: [t('docs')] }] },
    ]);
    expect(parseInline('[click](javascript:alert(1))')).toEqual([t('[click](javascript:alert(1))')]);
    expect(parseInline('[click](javascript:alert)')).toEqual([t('click')]);
    expect(parseInline('[mail](mailto:a@b.c) [app](myapp://x) [file](file:///etc/passwd)')).toEqual([t('mail app file')]);
    // HTML is text like any other
    expect(parseInline('<b onclick="x()">hi</b><script>')).toEqual([t('<b onclick="x()">hi</b><script>')]);
  });

  it('links bare URLs without their trailing punctuation', () => {
    expect(parseInline('See https://example.com/a_b?q=1. Thanks')).toEqual([
      t('See '),
      { kind: 'link', href: 'https://example.com/a_b?q=1', children: [t('https://example.com/a_b?q=1')] },
      t('. Thanks'),
    ]);
    expect(parseInline('at https://example.com, ok')).toEqual([
      t('at '),
      { kind: 'link', href: 'https://example.com', children: [t('https://example.com')] },
      t(', ok'),
    ]);
  });

  it('finds people, roles and @everyone, also inside emphasis', () => {
    expect(parseInline('hi @[Ana Lee](user:12), **@[Mods](role:moderator)** and @everyone, not me@everyone.com')).toEqual([
      t('hi '),
      { kind: 'mention', text: '@Ana Lee', userId: 12 },
      t(', '),
      { kind: 'strong', children: [{ kind: 'role', text: '@Mods', slug: 'moderator' }] },
      t(' and '),
      { kind: 'everyone', text: '@everyone' },
      t(', not me@everyone.com'),
    ]);
  });
});

describe('parseMarkdown (blocks)', () => {
  it('splits paragraphs on blank lines and keeps single line breaks', () => {
    expect(parseMarkdown('one\ntwo\n\n\nthree')).toEqual([
      { kind: 'paragraph', children: [t('one\ntwo')] },
      { kind: 'paragraph', children: [t('three')] },
    ]);
  });

  it('keeps fenced code literally, closed or not', () => {
    expect(parseMarkdown('Try:\n```js\nconst a = **1**;\n  indented\n```\ndone')).toEqual([
      { kind: 'paragraph', children: [t('Try:')] },
      { kind: 'code', text: 'const a = **1**;\n  indented' },
      { kind: 'paragraph', children: [t('done')] },
    ]);
    expect(parseMarkdown('```\nopen')).toEqual([{ kind: 'code', text: 'open' }]);
  });

  it('reads block quotes, with Markdown (and quotes) inside', () => {
    expect(parseMarkdown('> **Rule 1**\n> be kind\n>> said who?\n\nOk')).toEqual([
      {
        kind: 'quote',
        children: [
          { kind: 'paragraph', children: [{ kind: 'strong', children: [t('Rule 1')] }, t('\nbe kind')] },
          { kind: 'quote', children: [{ kind: 'paragraph', children: [t('said who?')] }] },
        ],
      },
      { kind: 'paragraph', children: [t('Ok')] },
    ]);
  });

  it('copies mentions as names, leaving the rest as written', () => {
    expect(copyText('Ask @[Sam](user:3) or @[Mods](role:moderator) about **it**')).toBe('Ask @Sam or @Mods about **it**');
  });
});
