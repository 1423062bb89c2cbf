import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { sanitizeName, sniffType } from './sniff';

describe('sniffing', () => {
  it('knows images by their bytes and text by being UTF-8', async () => {
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    expect(await sniffType(png)).toEqual({ mime: 'image/png', ext: 'png' });
    expect(await sniffType(Buffer.from('Grüße, 世界 👋\n'))).toEqual({ mime: 'text/plain', ext: 'txt' });
    expect(await sniffType(Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]))).toMatchObject({ mime: 'application/x-msdownload' });
    expect(await sniffType(Buffer.from([0x01, 0x00, 0x02, 0x03, 0x00, 0x9f]))).toBeNull();
    expect(await sniffType(Buffer.alloc(0))).toBeNull();
  });

  it('cleans names: no paths, controls or bidi tricks, and the extension of the real type', () => {
    expect(sanitizeName('../../etc/passwd', 'txt')).toBe('passwd.txt');
    expect(sanitizeName('C:\\Users\\me\\report.pdf', 'pdf')).toBe('report.pdf');
    expect(sanitizeName('invoice\u202Efdp.exe', 'png')).toBe('invoicefdp.png');
    expect(sanitizeName('...hidden', 'txt')).toBe('hidden.txt');
    expect(sanitizeName(undefined, 'png')).toBe('file.png');
    expect(sanitizeName('a'.repeat(500), 'txt').length).toBe(124);
  });
});
