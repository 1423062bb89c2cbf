import { get, type Agent } from 'node:http';

/**
 * GETs against a server with one bearer token through a keep-alive agent, answering status and
 * body text (the benches' readers and the service suite's bench mode): node's own client, so the
 * load generator spends little CPU per request.
 */
export function jsonGetter(baseUrl: string, token: string, agent: Agent) {
  const url = new URL(baseUrl);
  return (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      get({ host: url.hostname, port: url.port, path, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
}
