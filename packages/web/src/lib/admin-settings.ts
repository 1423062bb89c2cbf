import type { ErrorIssue } from '@communities/contract';

/** How a runtime setting is edited, from its current value and the schema's description. */
export type SettingKind =
  { kind: 'boolean' } | { kind: 'number' } | { kind: 'choice'; options: string[] } | { kind: 'text' } | { kind: 'list' } | { kind: 'map' };

/** `censor | reject | flag | hold` (the config schema's form for an enum) → its options. */
export function choicesOf(description: string): string[] | null {
  const head = description.split(/[(:]/)[0]!.trim();
  const parts = head.split('|').map((s) => s.trim());
  return parts.length > 1 && parts.every((p) => /^[a-z0-9_]+$/.test(p)) ? parts : null;
}

export function settingKind(value: unknown, description: string): SettingKind {
  if (typeof value === 'boolean') return { kind: 'boolean' };
  if (typeof value === 'number') return { kind: 'number' };
  if (Array.isArray(value)) return { kind: 'list' };
  if (value && typeof value === 'object') return { kind: 'map' };
  const options = choicesOf(description);
  return options ? { kind: 'choice', options } : { kind: 'text' };
}

/** The text a field shows for a value: lists one item a line, maps `name = value` a line. */
export function toText(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join('\n');
  if (value && typeof value === 'object')
    return Object.entries(value)
      .map(([k, v]) => `${k} = ${String(v)}`)
      .join('\n');
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/**
 * The value to send for what the admin typed. Numbers and map values that do not read as numbers
 * are sent as typed, so the server's schema (the same as the config file's) says what is wrong.
 */
export function fromText(kind: SettingKind, text: string): unknown {
  const lines = () =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  switch (kind.kind) {
    case 'number':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    case 'list':
      return lines();
    case 'map':
      return Object.fromEntries(
        lines().map((l) => {
          const at = l.indexOf('=');
          const k = (at < 0 ? l : l.slice(0, at)).trim();
          const v = at < 0 ? '' : l.slice(at + 1).trim();
          return [k, v !== '' && Number.isFinite(Number(v)) ? Number(v) : v];
        }),
      );
    default:
      return text;
  }
}

/** Which setting a validation issue is about (the longest key its dotted path names), or null. */
export function issueKey(issue: ErrorIssue, keys: readonly string[]): string | null {
  let best: string | null = null;
  for (const key of keys) {
    const p = issue.path;
    const hit = p === key || p.endsWith(`.${key}`) || p.startsWith(`${key}.`) || p.includes(`.${key}.`);
    if (hit && (best === null || key.length > best.length)) best = key;
  }
  return best;
}

/** The config section a key belongs to (its first segment), in the order the settings page shows them. */
export const SETTING_GROUPS = ['features', 'communities', 'chat', 'dm', 'file_scanner', 'moderation', 'pricing'] as const;
export const groupOf = (key: string): string => key.split('.')[0]!;
