import { describe, expect, it } from 'vitest';

import { parseRoute } from './router';
import { parseWordLines } from './word-lines';

describe('word list lines', () => {
  it('reads "word" and "word:severity" lines, medium by default, skipping blanks', () => {
    expect(parseWordLines('frak\n\n  gorram:high \nsmeg:low\nodd:extreme\n:high')).toEqual([
      { word: 'frak', severity: 'medium', replacement: null },
      { word: 'gorram', severity: 'high', replacement: null },
      { word: 'smeg', severity: 'low', replacement: null },
      { word: 'odd:extreme', severity: 'medium', replacement: null },
    ]);
  });
});

describe('moderation routes', () => {
  it("a community's moderation tab and the site admin's moderation area", () => {
    expect(parseRoute('/communities/photo/moderation')).toEqual({ name: 'community', slug: 'photo', tab: 'moderation' });
    expect(parseRoute('/communities/admin/moderation/')).toEqual({ name: 'admin', section: 'moderation' });
    expect(parseRoute('/communities/admin/moderation/x')).toEqual({ name: 'not_found' });
  });
});
