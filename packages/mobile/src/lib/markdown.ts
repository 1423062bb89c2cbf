import { MENTION, ROLE_MENTION } from '@communities/contract';

// Parsing and rendering live in the contract (parseRichText) and components/rich-text.tsx;
// these two only write and copy Markdown source.

/** The Markdown a composer inserts for a picked mention. */
export const mentionMarkup = (name: string, userId: number): string => `@[${name.replace(/[[\]\n]/g, '')}](user:${userId})`;

/** A message as text for the clipboard: Markdown kept, mentions as the names people see. */
export const copyText = (source: string): string =>
  source.replace(new RegExp(MENTION.source, 'g'), '@$1').replace(new RegExp(ROLE_MENTION.source, 'g'), '@$1');
