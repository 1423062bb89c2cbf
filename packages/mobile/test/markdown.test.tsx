import { extractMentions } from '@communities/contract';
import { describe, expect, it } from '@jest/globals';

import { copyText, mentionMarkup } from '../src/lib/markdown';

describe('Markdown source written and copied by the app', () => {
  it('writes a picked mention so the parser reads it back, whatever the name holds', () => {
    expect(mentionMarkup('Ana [Lee]\n', 12)).toBe('@[Ana Lee](user:12)');
    expect(extractMentions(`hi ${mentionMarkup('Ana [Lee]', 12)}`)).toEqual([12]);
  });

  it('copies mentions as names, leaving the rest as written', () => {
    expect(copyText('Ask @[Sam](user:3) or @[Mods](role:moderator) about **it**')).toBe('Ask @Sam or @Mods about **it**');
  });
});
