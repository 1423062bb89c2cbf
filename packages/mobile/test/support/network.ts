/**
 * A gate in front of real fetch for one kind of request: hold it (to see the optimistic state),
 * or let it reach the server and lose the answer (the send happened, the phone never heard).
 */
export function gatedFetch(match: (method: string, url: string) => boolean) {
  let mode: 'pass' | 'hold' | 'lose-response' = 'pass';
  const held: Array<() => void> = [];
  let answered = 0;
  const f: typeof fetch = async (input, init) => {
    const method = init?.method ?? 'GET';
    if (!match(method, String(input))) return fetch(input, init);
    if (mode === 'hold') await new Promise<void>((release) => held.push(release));
    const res = await fetch(input, init);
    answered += 1;
    if (mode === 'lose-response') {
      await res.arrayBuffer();
      throw new TypeError('Network request failed');
    }
    return res;
  };
  return {
    fetch: f,
    /** How many matching requests the server has answered. */
    answered: () => answered,
    hold: () => void (mode = 'hold'),
    loseResponses: () => void (mode = 'lose-response'),
    pass: () => void (mode = 'pass'),
    release: () => {
      mode = 'pass';
      for (const r of held.splice(0)) r();
    },
  };
}
