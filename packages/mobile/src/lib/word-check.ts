/** Leetspeak and look-alike digits and symbols, folded to letters before matching. */
const FOLD: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '!': 'i',
  '|': 'i',
  '3': 'e',
  '4': 'a',
  '@': 'a',
  '5': 's',
  $: 's',
  '7': 't',
  '8': 'b',
};

const fold = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/./gu, (c) => FOLD[c] ?? c);

/**
 * The phone's quick check before sending, with the list the server hands out
 * (`GET /api/communities/moderation/word-list`): true when a listed word starts a word of the
 * text after folding leetspeak and collapsing repeated letters. Only a warning: the server decides.
 */
export function mayContainListedWord(text: string, list: { words: Array<{ word: string }>; allow: string[] }): boolean {
  const allow = new Set(list.allow.map((w) => fold(w)));
  const tokens = fold(text)
    .split(/[^\p{L}]+/u)
    .filter((w) => w && !allow.has(w));
  const squeeze = (w: string) => w.replace(/(.)\1+/g, '$1');
  return list.words.some(({ word }) => {
    const target = squeeze(fold(word));
    return tokens.some((tk) => tk === target || squeeze(tk) === target);
  });
}
