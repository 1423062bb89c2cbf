import { parseRichText, safeLink } from '@communities/contract';
import { RICH_TEXT_FIXTURES, XSS_INPUTS, richTextSummary, type RichTextSummary } from '@communities/contract/rich-text.fixtures';
import { describe, expect, it, jest } from '@jest/globals';
import { fireEvent, render, screen } from '@testing-library/react-native';
import { Linking } from 'react-native';

import { RichTextView } from '../src/components/rich-text';
import { defaultTheme } from '../src/config';

const BASE = 'https://school.example';

interface Node {
  type: string;
  props: Record<string, unknown>;
  children: (Node | string)[] | null;
}

const kids = (n: Node | string): (Node | string)[] => (typeof n === 'string' ? [] : (n.children ?? []));
const textOf = (n: Node | string): string =>
  typeof n === 'string' ? n : n.props.testID === 'md-bullet' ? '' : kids(n).map(textOf).join('');
const all = (n: Node | string): Node[] => (typeof n === 'string' ? [] : [n, ...kids(n).flatMap(all)]);

/** The rendered host tree in the terms of the contract's summary (list bullets are decoration). */
function summarise(tree: Node | Node[] | null): RichTextSummary {
  const root: Node = { type: '#root', props: {}, children: Array.isArray(tree) ? tree : tree ? [tree] : [] };
  const nodes = all(root);
  return {
    text: textOf(root),
    links: nodes
      .filter((n) => n.props.accessibilityRole === 'link')
      .map((n) => `${String(n.props.accessibilityHint).replace(BASE, '')} ${textOf(n)}`),
    mentions: nodes.filter((n) => /^md-(mention|role|everyone)$/.test(String(n.props.testID))).map(textOf),
    codeBlocks: nodes.filter((n) => n.props.testID === 'md-code').map(textOf),
  };
}

async function show(source: string) {
  await render(<RichTextView doc={parseRichText(source)} theme={defaultTheme} meId={12} baseUrl={BASE} />);
  return screen.toJSON() as Node | Node[] | null;
}

describe('mobile RichText renders the golden fixtures', () => {
  it.each(RICH_TEXT_FIXTURES.map((f) => [f.name, f] as const))('%s', async (_name, f) => {
    expect(summarise(await show(f.source))).toEqual(richTextSummary(f.expected));
  });

  it('numbers ordered lists from their start and bullets the rest', async () => {
    await show('3. three\n4. four\n\n- a');
    // Bullets are hidden from screen readers (the list is read as text), so ask for hidden elements too.
    expect(screen.getAllByTestId('md-bullet', { includeHiddenElements: true }).map((b) => b.props.children as string)).toEqual([
      '3.',
      '4.',
      '\u2022',
    ]);
  });

  it('opens external links as written and the addon’s own paths on its server', async () => {
    const open = jest.spyOn(Linking, 'openURL').mockResolvedValue(true);
    await show('[docs](https://example.com/d) [general](/communities/maths/channels/general) [mail](mailto:a@b.org)');
    for (const name of ['docs', 'general', 'mail']) await fireEvent.press(screen.getByRole('link', { name }));
    expect(open.mock.calls).toEqual([['https://example.com/d'], [`${BASE}/communities/maths/channels/general`], ['mailto:a@b.org']]);
    open.mockRestore();
  });

  it('marks a mention of the reader, and @everyone, more strongly', async () => {
    await show('@[Ana](user:12) @[Bo](user:13) @everyone');
    const me = { backgroundColor: '#eef0ff' };
    const [ana, bo] = screen.getAllByTestId('md-mention');
    expect(ana).toHaveStyle(me);
    expect(bo).not.toHaveStyle(me);
    expect(screen.getByTestId('md-everyone')).toHaveStyle(me);
  });
});

describe('mobile RichText against XSS', () => {
  it.each(XSS_INPUTS.map((s) => [s]))('%j opens nothing unsafe and shows HTML as text', async (source) => {
    const open = jest.spyOn(Linking, 'openURL').mockResolvedValue(true);
    const tree = await show(source);
    const root: Node = { type: '#root', props: {}, children: Array.isArray(tree) ? tree : tree ? [tree] : [] };
    for (const link of screen.queryAllByRole('link')) await fireEvent.press(link);
    for (const [url] of open.mock.calls) {
      const path = String(url).startsWith(`${BASE}/`) ? String(url).slice(BASE.length) : String(url);
      expect(safeLink(path)?.href).toBe(path);
    }
    for (const tag of source.match(/<(script|img|iframe|svg)\b/g) ?? []) expect(textOf(root)).toContain(tag);
    open.mockRestore();
  });
});
