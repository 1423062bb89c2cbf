import { Agent, request } from 'node:http';

/**
 * A keep-alive JSON poster for the HTTP benchmarks: `post(i)` sends body(i) as the i-th
 * token's user and fails on any status but `expect`; `run(from, to)` keeps `concurrency`
 * requests in flight until every index in [from, to) was sent.
 */
export function jsonPoster(opts: { url: string; tokens: string[]; concurrency: number; body: (i: number) => unknown; expect: number }) {
  const url = new URL(opts.url);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const post = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify(opts.body(i));
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${opts.tokens[i % opts.tokens.length]}`,
          },
        },
        (res) => {
          // The start of an unexpected answer goes in the error (which rule refused it).
          let text = '';
          res.on('data', (d: Buffer) => res.statusCode !== opts.expect && text.length < 300 && (text += d.toString()));
          res.on('end', () => (res.statusCode === opts.expect ? resolve() : reject(new Error(`HTTP ${res.statusCode} ${text}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const run = async (from: number, to: number) => {
    let next = from;
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < to) await post(next++);
      }),
    );
  };
  return { post, run, close: () => agent.destroy() };
}
