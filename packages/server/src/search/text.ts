import { plainText } from '@communities/contract';

/** At most this many words of a query are searched for. */
export const MAX_TERMS = 8;

const WORD = /[\p{L}\p{N}]+/gu;

/** Folds case and diacritics, as the full-text indexes do (FTS5 unicode61 remove_diacritics, utf8mb4_unicode_ci). */
export const fold = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** The words of a query: letters and digits only (so no query syntax of any dialect gets through), folded, distinct. */
export function queryTerms(q: string): string[] {
  const out: string[] = [];
  for (const m of fold(q).matchAll(WORD)) if (!out.includes(m[0])) out.push(m[0]);
  return out.slice(0, MAX_TERMS);
}

/** Distinct terms a text has (a word starting with the term), and its hits (capped): the ranking, without building a snippet. */
export function relevance(source: string, terms: readonly string[]): { matched: number; hits: number } {
  const found = new Set<string>();
  let hits = 0;
  for (const m of fold(source).matchAll(WORD)) {
    let hit = false;
    for (const t of terms)
      if (m[0].startsWith(t)) {
        found.add(t);
        hit = true;
      }
    if (hit && ++hits >= 5 && found.size === terms.length) break;
  }
  return { matched: found.size, hits: Math.min(hits, 5) };
}

export interface Snippet {
  text: string;
  highlights: Array<[number, number]>;
  /** Distinct query words found, and how many times any was. */
  matched: number;
  hits: number;
}

const SNIPPET = 240;

/**
 * Plain text of `source` (Markdown stripped) cut to a window around the first match, with the
 * [start, end) ranges of the words that match a term: the whole word when it starts with the term
 * (a stemmed match like "running" for "run" is marked too).
 */
export function snippet(source: string, terms: readonly string[], markdown = true): Snippet {
  const full = markdown ? plainText(source, 100_000) : source.replace(/\s+/g, ' ').trim();
  const words = [...full.matchAll(WORD)].map((m) => ({ start: m.index, end: m.index + m[0].length, folded: fold(m[0]) }));
  const isHit = (w: { folded: string }) => terms.some((t) => w.folded.startsWith(t));
  const hitsAll = words.filter(isHit);
  const first = hitsAll[0]?.start ?? 0;
  let start = Math.max(0, first - 60);
  if (start > 0) {
    const space = full.lastIndexOf(' ', start);
    start = space > first - 100 && space >= 0 ? space + 1 : start;
  }
  let end = Math.min(full.length, start + SNIPPET);
  if (end < full.length) {
    const space = full.indexOf(' ', end);
    end = space >= 0 && space - end < 30 ? space : end;
  }
  const lead = start > 0 ? '…' : '';
  const text = lead + full.slice(start, end) + (end < full.length ? '…' : '');
  const highlights = hitsAll
    .filter((w) => w.start >= start && w.end <= end)
    .map((w): [number, number] => [w.start - start + lead.length, w.end - start + lead.length]);
  const found = new Set<string>();
  for (const w of hitsAll) for (const t of terms) if (w.folded.startsWith(t)) found.add(t);
  return { text, highlights, matched: found.size, hits: hitsAll.length };
}
