import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type DecryptFailure = 'malformed' | 'bad_mac' | 'decrypt_failed' | 'bad_prefix';

export class LaravelDecryptError extends Error {
  constructor(readonly reason: DecryptFailure) {
    super(`Laravel payload refused: ${reason}`);
  }
}

/** APP_KEY as Laravel reads it: `base64:<44 chars>` or a raw 32-byte string. */
export function parseAppKey(appKey: string): Buffer {
  const key = appKey.startsWith('base64:') ? Buffer.from(appKey.slice(7), 'base64') : Buffer.from(appKey, 'utf8');
  if (key.length !== 32) throw new Error(`APP_KEY must be 32 bytes for AES-256-CBC (got ${key.length})`);
  return key;
}

const mac = (key: Buffer, iv: string, value: string) =>
  createHmac('sha256', key)
    .update(iv + value)
    .digest('hex');

/** Illuminate\Encryption\Encrypter::decryptString for AES-256-CBC, MAC checked in constant time. */
export function decryptString(payload: string, key: Buffer): string {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
  } catch {
    throw new LaravelDecryptError('malformed');
  }
  const p = json as { iv?: unknown; value?: unknown; mac?: unknown };
  if (!p || typeof p.iv !== 'string' || typeof p.value !== 'string' || typeof p.mac !== 'string')
    throw new LaravelDecryptError('malformed');
  const iv = Buffer.from(p.iv, 'base64');
  if (iv.length !== 16) throw new LaravelDecryptError('malformed');
  const expected = Buffer.from(mac(key, p.iv, p.value), 'utf8');
  const given = Buffer.from(p.mac, 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new LaravelDecryptError('bad_mac');
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, iv);
    return Buffer.concat([decipher.update(Buffer.from(p.value, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new LaravelDecryptError('decrypt_failed');
  }
}

/** Illuminate\Encryption\Encrypter::encryptString, byte for byte (PHP's json_encode escapes "/"). */
export function encryptString(plain: string, key: Buffer, iv: Buffer = randomBytes(16)): string {
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const value = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
  const ivB64 = iv.toString('base64');
  const json = JSON.stringify({ iv: ivB64, value, mac: mac(key, ivB64, value), tag: '' }).replace(/\//g, '\\/');
  return Buffer.from(json, 'utf8').toString('base64');
}
