import { describe, expect, it } from 'vitest';

import { configTerms } from './word-lists';
import { normalizeWord, WordFilter } from './filter';

const terms = ['shit', 'ass', 'cunt', 'cock', 'fuck'].map((word) => ({ word, severity: 'medium' as const, replacement: null }));
const f = new WordFilter(terms);
const hits = (text: string) => f.match(text).map((m) => text.slice(m.start, m.end));

describe('WordFilter', () => {
  it('passes the Scunthorpe set', () => {
    for (const w of ['class', 'assess', 'Scunthorpe', 'cocktail', 'shitake', 'passage', 'assignment', 'cockpit', 'grass'])
      expect(hits(`the ${w} here`), w).toEqual([]);
  });

  it('catches leetspeak, repeated letters, spacing, punctuation, fullwidth and Cyrillic look-alikes, with spans in the text as sent', () => {
    expect(hits('sh1t')).toEqual(['sh1t']);
    expect(hits('$h!t')).toEqual(['$h!t']);
    expect(hits('shhhiiiit')).toEqual(['shhhiiiit']);
    expect(hits('s h i t')).toEqual(['s h i t']);
    expect(hits('s.h.i.t')).toEqual(['s.h.i.t']);
    expect(hits('ｓｈｉｔ')).toEqual(['ｓｈｉｔ']);
    expect(hits('ѕhit')).toEqual(['ѕhit']);
    expect(hits('Shït')).toEqual(['Shït']);
    expect(hits('you 💩 shit')).toEqual(['shit']);
    expect(hits('asshole')).toEqual(['ass']);
  });

  it('matches from a word start only, and an allow-list removes a word', () => {
    expect(hits('was hit')).toEqual([]);
    expect(new WordFilter(terms, ['ass']).match('ass')).toEqual([]);
  });

  it('censors with the replacement or the replace character, once per character', () => {
    const g = new WordFilter([
      { word: 'darn', severity: 'low', replacement: 'd**n' },
      { word: 'heck', severity: 'low', replacement: null },
    ]);
    const text = 'darn, h3ck!';
    expect(g.censor(text, g.match(text), '#')).toBe('d**n, ####!');
  });

  it('normalises list words and reads word files as word,severity,replacement', () => {
    expect(normalizeWord('Bl00dy')).toBe('bloody');
    expect(configTerms(['Darn'])).toEqual([{ word: 'Darn', severity: 'medium', replacement: null }]);
  });
});
