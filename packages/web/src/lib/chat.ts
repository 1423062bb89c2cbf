/** Pure helpers of the message list and the composer (kept apart from React to test them). */

interface Groupable {
  id: number;
  author: { id: number };
  created_at: string;
  reply_to: unknown;
  deleted: boolean;
}

export interface MessageRow<M> {
  message: M;
  /** Same author within a few minutes, same day, no reply: shown without avatar and name. */
  grouped: boolean;
  /** Local calendar day (YYYY-MM-DD) when a new day starts at this message, else null. */
  dayBreak: string | null;
}

export const dayKey = (iso: string): string => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

export function groupMessages<M extends Groupable>(list: M[], gapMinutes = 7): Array<MessageRow<M>> {
  const rows: Array<MessageRow<M>> = [];
  let prev: M | undefined;
  for (const m of list) {
    const day = dayKey(m.created_at);
    const newDay = !prev || dayKey(prev.created_at) !== day;
    const grouped =
      !!prev &&
      !newDay &&
      prev.author.id === m.author.id &&
      !m.reply_to &&
      !prev.deleted &&
      Date.parse(m.created_at) - Date.parse(prev.created_at) < gapMinutes * 60_000;
    rows.push({ message: m, grouped, dayBreak: newDay ? day : null });
    prev = m;
  }
  return rows;
}

/** The `@name` being typed just before the caret, if any: where it starts and what it says. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0 || (at > 0 && !/\s/.test(before[at - 1]!))) return null;
  const query = before.slice(at + 1);
  if (query.length > 30 || !/^[\p{L}\p{N}_.'-]*( [\p{L}\p{N}_.'-]*)?$/u.test(query)) return null;
  return { start: at, query };
}

/** Replaces the typed `@query` with the mention markup the server understands. */
export function insertMention(
  text: string,
  start: number,
  caret: number,
  pick: { kind: 'user'; id: number; name: string } | { kind: 'everyone' },
): { text: string; caret: number } {
  const markup = pick.kind === 'everyone' ? '@everyone ' : `@[${pick.name.replace(/[[\]\n]/g, '')}](user:${pick.id}) `;
  return { text: text.slice(0, start) + markup + text.slice(caret), caret: start + markup.length };
}
