import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import en from '../../../locales/en/communities.json';

const src = join(__dirname, '..', 'src');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.tsx') ? [path] : [];
  });

const flatKeys = (o: object, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v ? flatKeys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));

describe('UI text comes from locales/', () => {
  it('has no words written straight into components', () => {
    const offenders = files(src).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ line: line.trim(), at: `${file}:${i + 1}` }))
        .filter(
          ({ line }) =>
            /(?<!=)>\s*[A-Za-z][A-Za-z ,.'!?]*\s*<\/?[A-Za-z]/.test(line) ||
            /\b(placeholder|accessibilityLabel|title)="[A-Za-z]/.test(line),
        ),
    );
    expect(offenders).toEqual([]);
  });

  it('uses only keys that exist in the English strings', () => {
    const all = new Set(flatKeys(en));
    // A plural group (`x_one`, `x_other`) is used as `x`; a key that merely ends in `_one` is used as is.
    const known = new Set([...all].flatMap((k) => (k.endsWith('_other') ? [k, k.replace(/_other$/, '')] : [k])));
    const used = files(src).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\bt\('([a-z_]+\.[a-z_]+)'/g)].map((m) => m[1]!));
    expect(used.length).toBeGreaterThan(30);
    expect(used.filter((k) => !known.has(k))).toEqual([]);
  });
});
