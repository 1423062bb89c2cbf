import { extractMentions, extractRoleMentions, mentionsEveryone, parseRichText, walkInlines } from '@communities/contract';

/**
 * The server's mention extraction (run on every post, edit and message) on ordinary and
 * pathological texts, beside the full rich-text parse it used before and a plain
 * `String.includes` scan of the same text. Each run sees a fresh string, so no cache helps.
 */
const CASES: Record<string, (n: number) => string> = {
  ordinary: (n) => 'Hi @[Ada Lovelace](user:12), see **this** and `code` at https://example.com/x. '.repeat(n / 80),
  stars: (n) => `@[Ada](user:1) @everyone ${'*a'.repeat(n / 2)}`,
  underscores: (n) => `@[Ada](user:1) @everyone ${'_a'.repeat(n / 2)}`,
  tildes: (n) => `@[Ada](user:1) @everyone ${'~~a'.repeat(n / 3)}`,
  brackets: (n) => `${'['.repeat(n)}](everyone`,
  nested_brackets: (n) => `@everyone ${'[[]'.repeat(n / 3)}(x`,
  backticks: (n) => `](everyone ${'`a'.repeat(n / 2)}`,
  links: (n) => `@everyone ${'[a]('.repeat(n / 4)}`,
  mentions: (n) => '@[a](user:1) @everyone '.repeat(n / 23),
};

function percentiles(ms: number[], unit: string) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => Number(s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(3));
  return { [`p50_${unit}`]: at(0.5), [`p99_${unit}`]: at(0.99), [`max_${unit}`]: at(1) };
}

function time(runs: number, source: string, f: (s: string) => unknown) {
  for (let i = 0; i < 3; i++) f(`${source} w${i}`); // warm-up
  const ms: number[] = [];
  // CPU time too: on a shared machine the wall clock also counts other processes' turns.
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = `${source} ${i}`;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f(s);
    ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { ...percentiles(ms, 'ms'), ...percentiles(cpu, 'cpu_ms') };
}

const extract = (s: string) => [extractMentions(s), extractRoleMentions(s), mentionsEveryone(s)];
// What the three helpers did before: the full tree, three times (one parse each).
const fullParse = (s: string) => {
  for (let i = 0; i < 3; i++) walkInlines(parseRichText(s), () => undefined);
};
const includes = (s: string) => s.includes('](') || s.includes('everyone');

export function benchMarkdownMentions(opts: { sizes?: number[]; runs?: number; baselineRuns?: number } = {}) {
  const sizes = opts.sizes ?? [4000, 100_000];
  const runs = opts.runs ?? 200;
  const baselineRuns = opts.baselineRuns ?? 5;
  const out: Record<string, unknown> = {};
  for (const size of sizes)
    for (const [name, make] of Object.entries(CASES)) {
      const source = make(size);
      out[`${name}_${size}`] = {
        chars: source.length,
        extract_mentions: time(runs, source, extract),
        baseline_full_parse_x3: time(size > 10_000 ? Math.min(2, baselineRuns) : baselineRuns, source, fullParse),
        baseline_string_includes: time(runs, source, includes),
      };
    }
  return out;
}
