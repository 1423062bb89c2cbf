import { parseRichText } from '@communities/contract';
import { describe, expect, it } from 'vitest';

import { richTextTree } from './rich-text-cache';

describe('richTextTree', () => {
  it('parses a text once and hands back the same tree while it stays in use', () => {
    const source = '**Hi** @[Ana](user:1), see `code`';
    const first = richTextTree(source);
    expect(first).toEqual(parseRichText(source));
    for (let i = 0; i < 600; i++) {
      richTextTree(`filler ${i}`);
      if (i % 100 === 0) expect(richTextTree(source)).toBe(first); // used again: kept
    }
    expect(richTextTree(source)).toBe(first);
  });

  it('forgets the least recently used text after 500 others', () => {
    const old = richTextTree('soon forgotten');
    for (let i = 0; i < 500; i++) richTextTree(`other ${i}`);
    const again = richTextTree('soon forgotten');
    expect(again).not.toBe(old);
    expect(again).toEqual(old);
  });
});
