import type { CommunityWords, Severity } from '@communities/contract';

/** "word" or "word:high" per line, as the words textarea shows them. */
export function parseWordLines(text: string): CommunityWords['words'] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^(.*?):(low|medium|high)$/.exec(l);
      return { word: (m ? m[1]! : l).trim(), severity: (m ? m[2] : 'medium') as Severity, replacement: null };
    })
    .filter((w) => w.word.length > 0);
}
