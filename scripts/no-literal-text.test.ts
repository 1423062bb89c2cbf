import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every word a component shows goes through i18next: a JSX text, a string child or a user-facing prop
 * (title, placeholder, aria-label, alt, accessibilityLabel …) written in the code is reported. Symbols and
 * emoji (no letters) and test ids are fine.
 */
const repo = join(import.meta.dirname, '..');
const USER_FACING = new Set([
  'title',
  'placeholder',
  'alt',
  'label',
  'aria-label',
  'aria-description',
  'aria-placeholder',
  'aria-roledescription',
  'aria-valuetext',
  'accessibilityLabel',
  'accessibilityHint',
  'accessibilityValue',
  'text',
]);
const LETTER = /\p{L}/u;
/** Not prose: a key to press (`<kbd>d</kbd>`) or mention syntax (`@everyone`), the same in every language. */
function exempt(node: ts.JsxText): boolean {
  const parent = node.parent;
  const tag = ts.isJsxElement(parent) ? parent.openingElement.tagName.getText() : '';
  return (tag === 'kbd' && node.text.trim().length === 1) || /^[@#][\w-]+$/.test(node.text.trim());
}

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.tsx') ? [path] : [];
  });

export function literalTexts(file: string, source = readFileSync(file, 'utf8')): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const hits: string[] = [];
  const at = (node: ts.Node, what: string) =>
    hits.push(`${relative(repo, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${what}`);
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && LETTER.test(node.text) && !exempt(node)) at(node, JSON.stringify(node.text.trim()));
    else if (ts.isJsxExpression(node) && node.expression && ts.isJsxElement(node.parent) && isStringLike(node.expression))
      at(node, node.getText());
    else if (ts.isJsxAttribute(node) && USER_FACING.has(node.name.getText()) && node.initializer) {
      const init = node.initializer;
      const value = ts.isJsxExpression(init) ? init.expression : init;
      if (value && isStringLike(value)) at(node, node.getText());
    }
    ts.forEachChild(node, visit);
  };
  const isStringLike = (e: ts.Node): boolean =>
    ((ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) && LETTER.test(e.text)) ||
    (ts.isTemplateExpression(e) && [e.head.text, ...e.templateSpans.map((s) => s.literal.text)].some((t) => LETTER.test(t)));
  visit(sf);
  return hits;
}

describe('no literal user-visible text in components', () => {
  it('catches a literal in JSX text, a string child and a user-facing prop', () => {
    const hits = literalTexts(
      'x.tsx',
      'const A = () => <div title="Close" aria-label={`Open ${x}`}>Hello <b>{"World"}</b> ✓ {t("ok")} <kbd>d</kbd> <i data-testid="not-text" /></div>;',
    );
    expect(hits).toHaveLength(4);
  });

  it.each(['packages/web/src', 'packages/mobile/src'])('%s renders only translated text', (dir) => {
    expect(files(join(repo, dir)).flatMap((f) => literalTexts(f))).toEqual([]);
  });
});
