import { parseInline } from '../lib/markdown';

/** Paragraphs and inline Markdown, rendered as React elements only (never as HTML strings). */
export function Markdown({ source }: { source: string }) {
  return (
    <div className="cm-md">
      {source.split(/\n{2,}/).map((para, i) => (
        <p key={i}>
          {para.split('\n').map((line, j) => (
            <span key={j}>
              {j > 0 && <br />}
              {parseInline(line).map((part, k) =>
                part.kind === 'strong' ? (
                  <strong key={k}>{part.text}</strong>
                ) : part.kind === 'em' ? (
                  <em key={k}>{part.text}</em>
                ) : part.kind === 'code' ? (
                  <code key={k}>{part.text}</code>
                ) : part.kind === 'link' ? (
                  <a key={k} href={part.href} rel="noopener noreferrer nofollow" target={part.href.startsWith('/') ? undefined : '_blank'}>
                    {part.text}
                  </a>
                ) : part.kind === 'mention' ? (
                  <span key={k} className="cm-mention">
                    {part.text}
                  </span>
                ) : (
                  <span key={k}>{part.text}</span>
                ),
              )}
            </span>
          ))}
        </p>
      ))}
    </div>
  );
}
