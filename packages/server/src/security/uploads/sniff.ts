import { fileTypeFromBuffer } from 'file-type';

export const SNIFF_BYTES = 4100;

/**
 * The type from the bytes, never from the client's claim. Plain text has no magic number:
 * it is text/plain only when the head is valid UTF-8 without NUL or other binary controls.
 */
export async function sniffType(head: Buffer): Promise<{ mime: string; ext: string } | null> {
  const t = await fileTypeFromBuffer(head);
  if (t) return { mime: t.mime, ext: t.ext };
  if (head.length === 0) return null;
  // A multi-byte character may be cut at the end of the head; ignore up to 3 trailing bytes.
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  const cut = text.replace(/\uFFFD{1,3}$/, '');
  if (cut.includes('\uFFFD')) return null;
  // eslint-disable-next-line no-control-regex -- binary control characters mark a non-text file
  if (/[\u0000-\u0008\u000E-\u001F\u007F]/.test(cut)) return null;
  return { mime: 'text/plain', ext: 'txt' };
}

/** A display name safe to show and to put in Content-Disposition. */
export function sanitizeName(name: string | undefined, ext: string): string {
  const base = (name ?? '')
    .split(/[\\/]/)
    .pop()!
    .normalize('NFC')
    // Control characters and bidi overrides ("evil\u202Egnp.exe" shown as "evilexe.png").
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001F\u007F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  const stem = base.replace(/\.[^.]*$/, '').slice(0, 120) || 'file';
  return `${stem}.${ext}`;
}

export const isImage = (mime: string): boolean => ['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(mime);
