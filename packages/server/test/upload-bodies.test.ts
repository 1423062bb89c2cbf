import { connect } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServer, type TestServer } from './support/server';

// Bodies the upload endpoint cannot use get a 4xx with a code, never a 500 or silence.
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ file_scanner: { upload_stall_seconds: 1 } });
});
afterAll(async () => s.close());

async function post(headers: Record<string, string>, body: string) {
  const res = await fetch(`${s.url}/api/communities/uploads?purpose=channel`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await s.token(s.demo.studentIds[0]!)}`, ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as { error: { code: string; details?: Record<string, unknown> } } };
}

/** Sends raw bytes over TCP, keeps the socket open, and resolves with what the server answers. */
async function rawExchange(head: string, body: string): Promise<string> {
  const { hostname, port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head + body));
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      // The whole answer is in once its JSON body has closed.
      if (/\r\n\r\n[\s\S]*\}\s*$/.test(got)) {
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(got));
  });
}

describe('upload bodies', () => {
  it('a non-multipart body: 415 with a code', async () => {
    const r = await post({ 'content-type': 'application/json' }, '{"file":"x"}');
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('unsupported_media_type');
    expect(r.body.error.details).toMatchObject({ reason: 'not_multipart' });
  });

  it('multipart without a boundary: 400 with a code; a form cut inside its file: 408', async () => {
    const none = await post({ 'content-type': 'multipart/form-data' }, '--x\r\n\r\n');
    expect(none.status).toBe(400);
    expect(none.body.error).toMatchObject({ code: 'bad_request', details: { reason: 'bad_multipart' } });
    const cut = await post(
      { 'content-type': 'multipart/form-data; boundary=XYZ' },
      '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello',
    );
    // A form that ends inside its file part never finishes the file: the stall guard answers.
    expect(cut.status).toBe(408);
    expect(cut.body.error).toMatchObject({ code: 'request_timeout', details: { reason: 'upload_stalled' } });
  });

  it('a truncated body over a real socket: 408 once it stalls, and no file left behind', async () => {
    const token = await s.token(s.demo.studentIds[0]!);
    const body =
      '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nthe first half of a fi';
    const head =
      'POST /api/communities/uploads?purpose=channel HTTP/1.1\r\n' +
      `Host: ${new URL(s.url).host}\r\nAuthorization: Bearer ${token}\r\n` +
      'Content-Type: multipart/form-data; boundary=XYZ\r\n' +
      `Content-Length: ${body.length + 1000}\r\n\r\n`;
    const answer = await rawExchange(head, body);
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(answer).toContain('"code":"request_timeout"');
    const rows = await s.ctx.db.db.selectFrom('channel_message_attachments').select('id').execute();
    expect(rows).toEqual([]);
  });

  it('a body stalled before its first part: 408 as well', async () => {
    const token = await s.token(s.demo.studentIds[0]!);
    const head =
      'POST /api/communities/uploads?purpose=channel HTTP/1.1\r\n' +
      `Host: ${new URL(s.url).host}\r\nAuthorization: Bearer ${token}\r\n` +
      'Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 5000\r\n\r\n';
    const answer = await rawExchange(head, '--XY');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
  });
});
