import type { Severity } from '@communities/contract';
import {
  collapseDuplicatesTransformer,
  englishDataset,
  parseRawPattern,
  RegExpMatcher,
  resolveConfusablesTransformer,
  resolveLeetSpeakTransformer,
  skipNonAlphabeticTransformer,
  toAsciiLowerCaseTransformer,
  type TransformerContainer,
} from 'obscenity';

import { CONFUSABLES } from './confusables';

export interface FilterTerm {
  word: string;
  severity: Severity;
  replacement: string | null;
}

/** A match in the text as sent: UTF-16 offsets, end exclusive. */
export interface FilterMatch {
  start: number;
  end: number;
  term: FilterTerm;
}

/**
 * Innocent words that begin with a listed word (the Scunthorpe problem: terms match from a word
 * start, so only prefixes need it), on top of obscenity's English whitelist.
 */
const INNOCENT = [
  'scunthorpe',
  'cocktail',
  'cockpit',
  'cockroach',
  'cockatoo',
  'cockerel',
  'cockburn',
  'shitake',
  'shiitake',
  'assess',
  'assessment',
  'assassin',
  'assembly',
  'assert',
  'asset',
  'assign',
  'assist',
  'associate',
  'assume',
  'assure',
  'analysis',
  'analyst',
  'analytic',
  'cumulative',
  'cucumber',
  'dickens',
  'titan',
  'title',
  'hello',
  'hellenic',
  'therapist',
  'butter',
  'button',
  'buttress',
  'passage',
  'classic',
  'pussycat',
  'bassist',
  'grape',
  'drape',
];
const ENGLISH_WHITELIST: readonly string[] = englishDataset.build().whitelistedTerms ?? [];

/** One code point at a time (so offsets stay those of the text as sent): NFKC, accents off, confusables. */
function fold(c: number): number {
  if (c < 128) return c;
  const mapped = CONFUSABLES.get(c);
  if (mapped !== undefined) return mapped;
  const s = String.fromCodePoint(c).normalize('NFKD').replace(/\p{M}/gu, '');
  return s.length === 1 ? s.charCodeAt(0) : c;
}
const foldTransformer: TransformerContainer = { type: 0, transform: fold };

const confusables = resolveConfusablesTransformer();
const leet = resolveLeetSpeakTransformer();
const lower = toAsciiLowerCaseTransformer();
const simple = (t: TransformerContainer) => (t as { transform: (c: number) => number | undefined }).transform;
const steps = [fold, simple(confusables), simple(leet), simple(lower)];

const blacklistTransformers: TransformerContainer[] = [
  foldTransformer,
  confusables,
  leet,
  lower,
  skipNonAlphabeticTransformer(),
  collapseDuplicatesTransformer({
    defaultThreshold: 1,
    customThresholds: new Map([
      ['b', 2],
      ['e', 2],
      ['o', 2],
      ['l', 2],
      ['s', 2],
      ['g', 2],
    ]),
  }),
];
const whitelistTransformers: TransformerContainer[] = [
  foldTransformer,
  lower,
  collapseDuplicatesTransformer({ defaultThreshold: Number.POSITIVE_INFINITY, customThresholds: new Map([[' ', 1]]) }),
];

/** A word as patterns take it: lower-case letters only (accents and punctuation dropped). */
export function normalizeWord(word: string): string {
  let out = '';
  for (const ch of word.normalize('NFKC')) {
    let c = ch.codePointAt(0)!;
    for (const step of steps) {
      const r = step(c);
      if (r === undefined) break;
      c = r;
    }
    if (c >= 97 && c <= 122) out += String.fromCharCode(c);
  }
  return out;
}

/** The coarse skeleton the prefilter compares: letters after folding, every run collapsed. */
function skeleton(text: string): string {
  let out = '';
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      c = text.codePointAt(i)!;
      i++;
    }
    if (c >= 65 && c <= 90) c += 32;
    else if (c > 122 || c < 97) {
      for (const step of steps) {
        const r = step(c);
        if (r === undefined) break;
        c = r;
      }
    }
    if (c < 97 || c > 122 || c === last) continue;
    out += String.fromCharCode(c);
    last = c;
  }
  return out;
}
const LETTER = /\p{L}/u;
function codePointBefore(text: string, i: number): number {
  const c = text.charCodeAt(i - 1);
  return c >= 0xdc00 && c <= 0xdfff && i >= 2 ? text.codePointAt(i - 2)! : c;
}
const collapse = (w: string) => w.replace(/(.)\1+/g, '$1');

interface TrieNode {
  next: Map<number, TrieNode>;
  terms: number[];
}

/**
 * A compiled word list. Matching is obscenity's (`RegExpMatcher`, leetspeak, confusables,
 * repeated letters, spacing and punctuation tricks, whitelists); a trie over the collapsed
 * skeletons of every word first finds the few terms that could match, so a clean message costs
 * one pass over its text whatever the list's size, and only those terms' matchers run.
 */
export class WordFilter {
  readonly size: number;
  private readonly terms: FilterTerm[] = [];
  private readonly root: TrieNode = { next: new Map(), terms: [] };
  private readonly matchers = new Map<number, RegExpMatcher>();
  private readonly whitelist: string[];

  constructor(terms: readonly FilterTerm[], allow: readonly string[] = []) {
    const allowed = new Set(allow.map(normalizeWord));
    const seen = new Set<string>();
    for (const t of terms) {
      const word = normalizeWord(t.word);
      if (word.length < 2 || allowed.has(word) || seen.has(word)) continue;
      seen.add(word);
      const id = this.terms.push({ ...t, word }) - 1;
      let node = this.root;
      for (const ch of collapse(word)) {
        const c = ch.charCodeAt(0);
        let n = node.next.get(c);
        if (!n) node.next.set(c, (n = { next: new Map(), terms: [] }));
        node = n;
      }
      node.terms.push(id);
    }
    this.size = this.terms.length;
    this.whitelist = [...INNOCENT, ...ENGLISH_WHITELIST, ...allow.map((a) => a.toLowerCase())];
  }

  /** Terms whose skeleton occurs in the text's skeleton: a superset of what obscenity will match. */
  private candidates(text: string): number[] {
    const s = skeleton(text);
    const found = new Set<number>();
    for (let i = 0; i < s.length; i++) {
      let node: TrieNode | undefined = this.root;
      for (let j = i; j < s.length && node; j++) {
        node = node.next.get(s.charCodeAt(j));
        if (node) for (const t of node.terms) found.add(t);
      }
    }
    return [...found];
  }

  private matcher(id: number): RegExpMatcher {
    let m = this.matchers.get(id);
    if (!m) {
      const word = this.terms[id]!.word;
      const core = collapse(word);
      // Only the whitelist entries that could cover this word: fewer patterns to run.
      const whitelistedTerms = this.whitelist.filter((w) => collapse(normalizeWord(w)).includes(core));
      m = new RegExpMatcher({
        blacklistedTerms: [{ id, pattern: parseRawPattern(word) }],
        whitelistedTerms,
        blacklistMatcherTransformers: blacklistTransformers,
        whitelistMatcherTransformers: whitelistTransformers,
      });
      this.matchers.set(id, m);
    }
    return m;
  }

  match(text: string): FilterMatch[] {
    if (this.size === 0 || text === '') return [];
    const out: FilterMatch[] = [];
    for (const id of this.candidates(text)) {
      for (const m of this.matcher(id).getAllMatches(text)) {
        // Terms match from a word's start, judged on the text as sent (spaces and punctuation are
        // skipped while matching, so obscenity's own boundaries would see "a shit" as one word).
        if (m.startIndex > 0 && LETTER.test(String.fromCodePoint(codePointBefore(text, m.startIndex)))) continue;
        // endIndex is the last matched character's index; take a whole surrogate pair.
        const last = text.codePointAt(m.endIndex)!;
        out.push({ start: m.startIndex, end: m.endIndex + (last > 0xffff ? 2 : 1), term: this.terms[id]! });
      }
    }
    return out.sort((a, b) => a.start - b.start || b.end - a.end);
  }

  /** The text with each match replaced by the term's replacement, or by replaceChar once per character. */
  censor(text: string, matches: readonly FilterMatch[], replaceChar: string): string {
    let out = '';
    let at = 0;
    for (const m of matches) {
      if (m.start < at) continue;
      out += text.slice(at, m.start) + (m.term.replacement ?? replaceChar.repeat([...text.slice(m.start, m.end)].length));
      at = m.end;
    }
    return out + text.slice(at);
  }
}
