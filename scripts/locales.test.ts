import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { createI18n } from '@communities/contract/i18n';
import { describe, expect, it } from 'vitest';

import { convertFile, convertString, convertTree, localeIndex } from './locales-icu';

const root = join(import.meta.dirname, '..', 'locales');
const languages = readdirSync(root).filter((l) => existsSync(join(root, l, 'communities.json')));
const read = (lang: string) => JSON.parse(readFileSync(join(root, lang, 'communities.json'), 'utf8')) as object;
const flat = (o: object, prefix = ''): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(o).flatMap(([k, v]) =>
      v && typeof v === 'object' ? Object.entries(flat(v as object, `${prefix}${k}.`)) : [[`${prefix}${k}`, v]],
    ),
  );

/** The arguments a message uses, with their kind: `name`, `count:plural`, `gender:select`, `n:number` … */
function argumentsOf(elements: MessageFormatElement[], out = new Set<string>()): Set<string> {
  for (const el of elements) {
    if (el.type === TYPE.argument) out.add(el.value);
    else if (el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) out.add(`${el.value}:${TYPE[el.type]}`);
    else if (el.type === TYPE.plural || el.type === TYPE.select) {
      out.add(`${el.value}:${el.type === TYPE.plural ? 'plural' : 'select'}`);
      for (const option of Object.values(el.options)) argumentsOf(option.value, out);
    } else if (el.type === TYPE.tag) argumentsOf(el.children, out);
  }
  return out;
}

const english = flat(read('en'));

describe('shipped languages (every locales/<lang>/communities.json)', () => {
  it('include English, the source', () => {
    expect(languages).toContain('en');
    expect(Object.keys(english).length).toBeGreaterThan(1000);
  });

  it.each(languages)('%s: every message parses as ICU', (lang) => {
    const broken = Object.entries(flat(read(lang))).flatMap(([key, text]) => {
      if (typeof text !== 'string') return [`${key}: not a string`];
      try {
        parse(text, { ignoreTag: true });
        return [];
      } catch (e) {
        return [`${key}: ${(e as Error).message}`];
      }
    });
    expect(broken).toEqual([]);
  });

  it.each(languages.filter((l) => l !== 'en'))('%s: has every English key, translated, and no key English lacks', (lang) => {
    const strings = flat(read(lang));
    const missing = Object.keys(english).filter((k) => typeof strings[k] !== 'string' || strings[k].trim() === '');
    const extra = Object.keys(strings).filter((k) => !(k in english));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it.each(languages.filter((l) => l !== 'en'))('%s: every message takes the same ICU arguments as English', (lang) => {
    const strings = flat(read(lang));
    const differing = Object.entries(english).flatMap(([key, text]) => {
      const own = strings[key];
      if (typeof own !== 'string' || typeof text !== 'string') return [];
      try {
        const want = [...argumentsOf(parse(text, { ignoreTag: true }))].sort();
        const got = [...argumentsOf(parse(own, { ignoreTag: true }))].sort();
        return want.join() === got.join() ? [] : [`${key}: ${got.join(' ')} ≠ English ${want.join(' ')}`];
      } catch {
        return []; // reported by the parse test
      }
    });
    expect(differing).toEqual([]);
  });

  it('are all converted to ICU and listed in locales/index.ts', () => {
    for (const lang of languages) {
      const { before, after } = convertFile(join(root, lang, 'communities.json'));
      expect(after, `${lang}: run npx tsx --no-cache scripts/locales-icu.ts`).toBe(before);
    }
    const sorted = [...languages].sort((a, b) => (a === 'en' ? -1 : b === 'en' ? 1 : a.localeCompare(b)));
    expect(readFileSync(join(root, 'index.ts'), 'utf8')).toBe(localeIndex(sorted));
  });
});

describe('scripts/locales-icu.ts', () => {
  it("turns i18next's {{x}} into ICU's {x}, quoting what ICU would read as syntax", () => {
    expect(convertString('Hello {{name}}')).toBe('Hello {name}');
    expect(convertString("Delete {{name}}'s post? This can't be undone.")).toBe("Delete {name}'s post? This can't be undone.");
    expect(convertString('{{n}} uses {single braces}')).toBe("{n} uses '{'single braces'}'");
    // Already ICU (it parses): left alone, which is what makes a second run a no-op.
    expect(convertString('Hello {name}')).toBe('Hello {name}');
    const quoted = createI18n({ resources: { en: { q: convertString("it's '{{x}}'") } } });
    expect(quoted.t('q', { x: 'here' })).toBe("it's 'here'");
  });

  it('folds an i18next plural group into one ICU plural, with # for the count and _zero as =0', () => {
    const out = convertTree({
      ns: {
        rank_one: 'You are #{{rank}} with {{count}} point',
        rank_other: 'You are #{{rank}} with {{count}} points',
        left_zero: 'None left',
        left_one: 'One left',
        left_other: '{{count}} left',
        typing_one: '{{a}} is typing', // not a plural group: there is no typing_other
        typing_two: '{{a}} and {{b}} are typing',
      },
    });
    expect(out).toEqual({
      ns: {
        rank: "{count, plural, one {You are '#'{rank} with # point} other {You are '#'{rank} with # points}}",
        left: '{count, plural, =0 {None left} one {One left} other {# left}}',
        typing_one: '{a} is typing',
        typing_two: '{a} and {b} are typing',
      },
    });
    const i18n = createI18n({ resources: { en: out } });
    expect(i18n.t('ns.rank', { count: 1, rank: 3 })).toBe('You are #3 with 1 point');
    expect(i18n.t('ns.rank', { count: 7, rank: 3 })).toBe('You are #3 with 7 points');
    expect(i18n.t('ns.left', { count: 0 })).toBe('None left');
    expect(i18n.t('ns.left', { count: 2 })).toBe('2 left');
  });

  it('changes nothing the second time (the lead reruns it after merging other keys)', () => {
    const once = convertTree({ a: { x_one: '{{count}} x', x_other: '{{count}} xs', y: 'Hi {{n}}', z: "it's {braces}" } });
    expect(convertTree(once)).toEqual(once);
  });

  it('renders Arabic plurals with all six categories', () => {
    const i18n = createI18n({
      locale: 'ar',
      resources: {
        ar: { t: { n: '{count, plural, zero {لا رسائل} one {رسالة} two {رسالتان} few {# رسائل} many {# رسالة} other {# رسالة}}' } },
      },
    });
    expect(i18n.t('t.n', { count: 0 })).toBe('لا رسائل');
    expect(i18n.t('t.n', { count: 2 })).toBe('رسالتان');
    expect(i18n.t('t.n', { count: 5 })).toMatch(/رسائل$/);
  });
});
