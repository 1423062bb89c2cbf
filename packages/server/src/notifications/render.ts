import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** locales/<lang>/communities.json, the one translation source web, mobile and server share. */
export const LOCALES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../locales');

type Tree = { [k: string]: string | Tree };

/**
 * Renders `notifications.text.*` strings for the host's notification centre in the recipient's
 * language (RocketLMS `users.language`), falling back to English per key. The syntax is the one
 * the web and mobile i18next use: `{{var}}` and plural suffixes (`_one`, `_other`, … chosen by
 * Intl.PluralRules with `count`).
 */
export class NotificationText {
  private readonly cache = new Map<string, Tree | null>();

  constructor(private readonly dir = LOCALES_DIR) {}

  private load(lang: string): Tree | null {
    if (this.cache.has(lang)) return this.cache.get(lang)!;
    let tree: Tree | null = null;
    const file = resolve(this.dir, lang, 'communities.json');
    // The language comes from the host's users table: only a plain tag names a file.
    if (/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(lang) && existsSync(file)) {
      try {
        tree = JSON.parse(readFileSync(file, 'utf8')) as Tree;
      } catch {
        tree = null;
      }
    }
    this.cache.set(lang, tree);
    return tree;
  }

  private lookup(lang: string, key: string): string | null {
    let node: string | Tree | undefined = this.load(lang) ?? undefined;
    for (const part of `notifications.text.${key}`.split('.')) {
      if (!node || typeof node === 'string') return null;
      node = node[part];
    }
    return typeof node === 'string' ? node : null;
  }

  /** The languages to try, most specific first: `es-MX` → es-MX, es, en. */
  private chain(locale: string | null | undefined): string[] {
    const l = (locale ?? '').trim().replace('_', '-');
    const base = l.split('-')[0]!.toLowerCase();
    return [...new Set([l, base, 'en'].filter(Boolean))];
  }

  render(locale: string | null | undefined, key: string, vars: Record<string, string | number> = {}): string {
    for (const lang of this.chain(locale)) {
      let s: string | null = null;
      if (typeof vars.count === 'number') {
        let rule = 'other';
        try {
          rule = new Intl.PluralRules(lang).select(vars.count);
        } catch {
          /* an unknown tag: 'other' */
        }
        s =
          this.lookup(lang, `${key}_${vars.count === 0 ? 'zero' : rule}`) ??
          this.lookup(lang, `${key}_${rule}`) ??
          this.lookup(lang, `${key}_other`);
      }
      s ??= this.lookup(lang, key);
      if (s !== null) return s.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, v: string) => String(vars[v] ?? ''));
    }
    return key;
  }
}
