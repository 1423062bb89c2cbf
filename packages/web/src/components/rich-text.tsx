import { richTextTree } from '@communities/client';
import { safeLink, type RichBlock, type RichInline } from '@communities/contract';
import type { ReactNode } from 'react';

import { linkProps } from '../lib/router';

/** External links leave the addon in a new tab, without our referrer or any ranking credit. */
export const EXTERNAL_REL = 'noopener noreferrer nofollow ugc';

function Link({ href, children }: { href: string; children: ReactNode }) {
  // The parser already applied the policy; checking again costs nothing and guards any other caller.
  const link = safeLink(href);
  if (!link) return <>{children}</>;
  if (link.kind === 'internal') return <a {...linkProps(link.href)}>{children}</a>;
  return (
    <a href={link.href} target="_blank" rel={EXTERNAL_REL}>
      {children}
    </a>
  );
}

function Inlines({ nodes }: { nodes: readonly RichInline[] }): ReactNode {
  return nodes.map((n, i) => {
    switch (n.type) {
      case 'text':
        return n.text;
      case 'break':
        return <br key={i} />;
      case 'strong':
        return (
          <strong key={i}>
            <Inlines nodes={n.children} />
          </strong>
        );
      case 'em':
        return (
          <em key={i}>
            <Inlines nodes={n.children} />
          </em>
        );
      case 'strike':
        return (
          <s key={i}>
            <Inlines nodes={n.children} />
          </s>
        );
      case 'code':
        return <code key={i}>{n.text}</code>;
      case 'link':
        return (
          <Link key={i} href={n.href}>
            <Inlines nodes={n.children} />
          </Link>
        );
      case 'mention':
        return (
          <span key={i} className="cm-mention" data-user-id={n.userId}>
            {n.text}
          </span>
        );
      case 'role':
        return (
          <span key={i} className="cm-mention cm-mention--role" data-role={n.slug}>
            {n.text}
          </span>
        );
      case 'everyone':
        return (
          <span key={i} className="cm-mention cm-mention--everyone">
            {n.text}
          </span>
        );
    }
  });
}

function Blocks({ blocks }: { blocks: readonly RichBlock[] }): ReactNode {
  return blocks.map((b, i) => {
    switch (b.type) {
      case 'paragraph':
        return (
          <p key={i}>
            <Inlines nodes={b.children} />
          </p>
        );
      case 'code_block':
        return (
          <pre key={i} className="cm-md-pre" data-lang={b.lang ?? undefined}>
            <code>{b.text}</code>
          </pre>
        );
      case 'quote':
        return (
          <blockquote key={i}>
            <Blocks blocks={b.children} />
          </blockquote>
        );
      case 'list': {
        const items = b.items.map((item, j) => (
          <li key={j}>
            <Blocks blocks={item} />
          </li>
        ));
        return b.ordered ? (
          <ol key={i} start={b.start === 1 ? undefined : b.start}>
            {items}
          </ol>
        ) : (
          <ul key={i}>{items}</ul>
        );
      }
    }
  });
}

/** An already parsed rich-text tree as React elements (never HTML strings). */
export function RichTextView({ doc }: { doc: readonly RichBlock[] }) {
  return (
    // dir="auto": an Arabic message reads right to left in an English page and the other way round.
    <div className="cm-md" dir="auto">
      <Blocks blocks={doc} />
    </div>
  );
}

/**
 * The body of a message, DM, post or comment: the contract's rich-text tree rendered as React
 * elements. The one place the web app turns stored Markdown into something people see.
 */
export function RichText({ source }: { source: string }) {
  const doc = richTextTree(source); // parsed once per text, across rows and re-renders
  return <RichTextView doc={doc} />;
}
