import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { WordFilter, type FilterTerm } from '../packages/server/src/moderation/filter';

/** The corpus's words: what `hit` lines hide, in plain form. */
const BAD = ['shit', 'fuck', 'cunt', 'cock', 'ass', 'bitch', 'bastard', 'dick', 'piss', 'slut', 'whore', 'wanker', 'twat', 'prick'];

/**
 * A deterministic 2,000-word list: the corpus's words plus made-up ones of 6 to 9 letters (long
 * enough not to be the start of an ordinary English word, which would count as a false positive).
 */
export function wordList(size: number): FilterTerm[] {
  // mulberry32: integer arithmetic only, so the sequence never collapses into a short cycle.
  let seed = 16;
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const words = new Set(BAD);
  while (words.size < size) {
    const n = 6 + Math.floor(rnd() * 4);
    words.add(Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(rnd() * 26))).join(''));
  }
  return [...words].map((word) => ({ word, severity: 'medium', replacement: null }));
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Per-message microseconds (p50, p99, max) of `fn` over `messages`, after a warm-up round. */
function timeEach(messages: string[], rounds: number, fn: (m: string) => unknown) {
  for (const m of messages) fn(m);
  const us: number[] = [];
  for (let r = 0; r < rounds; r++)
    for (const m of messages) {
      const t = process.hrtime.bigint();
      fn(m);
      us.push(Number(process.hrtime.bigint() - t) / 1000);
    }
  us.sort((a, b) => a - b);
  return { p50_us: +pct(us, 50).toFixed(2), p99_us: +pct(us, 99).toFixed(2), max_us: +us[us.length - 1]!.toFixed(1), samples: us.length };
}

/**
 * The word filter's cost per message with a 2,000-word list (leetspeak, confusables, spacing
 * handled) beside the unfiltered path (an empty list: what posting costs the filter when it has
 * nothing to do), on a realistic mix of messages; and recall and false-positive rate on the
 * labelled corpus in bench/moderation-corpus.txt (hits in disguise, and the Scunthorpe set).
 */
export function benchWordFilter(opts: { rounds?: number } = {}) {
  const rounds = opts.rounds ?? 20;
  const lines = readFileSync(join(import.meta.dirname, 'moderation-corpus.txt'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [label, text] = l.split('\t') as [string, string];
      return { hit: label === 'hit', text };
    });
  const terms = wordList(2000);
  const t0 = process.hrtime.bigint();
  const filter = new WordFilter(terms);
  const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const empty = new WordFilter([]);

  // Traffic: mostly clean chat, one message in 20 with a disguised word (worse than a school's real mix).
  const clean = lines.filter((l) => !l.hit).map((l) => l.text);
  const dirty = lines.filter((l) => l.hit).map((l) => l.text);
  const traffic = Array.from({ length: 2000 }, (_, i) => (i % 20 === 0 ? dirty[i % dirty.length]! : clean[i % clean.length]!));
  const run = (f: WordFilter) => (m: string) => {
    const found = f.match(m);
    return found.length ? f.censor(m, found, '*') : m;
  };
  const unfiltered = timeEach(traffic, rounds, run(empty));
  const filtered = timeEach(traffic, rounds, run(filter));
  const hitsOnly = timeEach(dirty, rounds, run(filter));

  let caught = 0;
  let falsePositives = 0;
  const missed: string[] = [];
  const flagged: string[] = [];
  for (const l of lines) {
    const found = filter.match(l.text).length > 0;
    if (l.hit && found) caught++;
    else if (l.hit) missed.push(l.text);
    else if (found) {
      falsePositives++;
      flagged.push(l.text);
    }
  }
  const hits = lines.filter((l) => l.hit).length;
  const innocent = lines.length - hits;
  return {
    list_words: filter.size,
    compile_ms: +compileMs.toFixed(1),
    unfiltered,
    filtered,
    messages_with_a_hit: hitsOnly,
    added_p99_us: +(filtered.p99_us - unfiltered.p99_us).toFixed(2),
    target_added_p99_us: 50,
    corpus: {
      lines: lines.length,
      hits,
      innocent,
      recall: +(caught / hits).toFixed(4),
      false_positive_rate: +(falsePositives / innocent).toFixed(4),
      missed,
      false_positives: flagged,
    },
  };
}

if (process.argv[1]?.endsWith('word-filter.ts')) process.stdout.write(`${JSON.stringify({ word_filter: benchWordFilter() }, null, 2)}\n`);
