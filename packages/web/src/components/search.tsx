import type { SearchResult } from '@communities/contract';
import { useQuery } from '@tanstack/react-query';
import { Fragment, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { api } from '../api';
import { timeAgo } from '../lib/format';
import { channelPath, dmPath, navigate, WEB_BASE } from '../lib/router';
import { useChannelsQuery } from '../state/queries/channels';

import { profilePath } from './gamification';
import { AuthorFilter, type Author } from './search-author';

type Type = 'message' | 'post' | 'member' | 'community';
interface Filters {
  type: Type | '';
  channel: string;
  from: Author | null;
  has: '' | 'file' | 'link';
  after: string;
  before: string;
}
const NO_FILTERS: Filters = { type: '', channel: '', from: null, has: '', after: '', before: '' };

/** Where a result opens: a channel or DM at the message (history `around` it), a feed, a profile, a community. */
export function resultPath(r: SearchResult): string {
  if (r.kind === 'message' && r.community && r.channel) return `${channelPath(r.community.slug, String(r.channel.id))}?message=${r.id}`;
  if (r.kind === 'dm' && r.thread_id !== null) return `${dmPath(r.thread_id)}?message=${r.id}`;
  if (r.kind === 'member') return profilePath(r.id, r.community?.slug);
  if (r.community) return `${WEB_BASE}/${r.community.slug}`;
  return WEB_BASE;
}

/** `text` with its highlight ranges marked; the rest stays plain text (never HTML). */
export function Highlighted({ text, ranges }: { text: string; ranges: Array<[number, number]> }) {
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    if (a < at) continue;
    if (a > at) parts.push(text.slice(at, a));
    parts.push(<mark key={a}>{text.slice(a, b)}</mark>);
    at = b;
  }
  if (at < text.length) parts.push(text.slice(at));
  return (
    <bdi dir="auto">
      {parts.map((p, i) => (
        <Fragment key={i}>{p}</Fragment>
      ))}
    </bdi>
  );
}

/**
 * The community header's search: Ctrl+K (⌘K) or "/" focuses it; typing two or more characters
 * opens the results panel with filters (type, channel, author, attachment or link, dates).
 * A message opens its channel at the message.
 */
export function SearchBox({ slug, communityId }: { slug: string; communityId: number | null }) {
  const { t, i18n } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [q, setQ] = useState('');
  const [debounced, setDebounced] = useState('');
  const [open, setOpen] = useState(false);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const panelId = useId();
  const channels = useChannelsQuery(slug);

  useEffect(() => {
    const id = setTimeout(() => setDebounced(q.trim()), 250);
    return () => clearTimeout(id);
  }, [q]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLElement && (e.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName));
      if (((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') || (e.key === '/' && !typing)) {
        e.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const query = {
    q: debounced,
    ...(communityId !== null ? { community_id: communityId } : {}),
    ...(filters.type ? { type: filters.type } : {}),
    ...(filters.channel ? { channel_id: Number(filters.channel) } : {}),
    ...(filters.from ? { from_user: filters.from.id } : {}),
    ...(filters.has ? { has: filters.has } : {}),
    ...(filters.after ? { after: filters.after } : {}),
    ...(filters.before ? { before: filters.before } : {}),
  };
  const results = useQuery({
    queryKey: ['search', query],
    queryFn: ({ signal }) => api.search.search({ query }, { signal }),
    enabled: open && debounced.length >= 2 && communityId !== null,
    retry: false,
  });
  const [authors, setAuthors] = useState(new Map<number, string>());
  useEffect(() => {
    const items = results.data?.items ?? [];
    if (items.some((r) => r.author && !authors.has(r.author.id)))
      setAuthors((m) => new Map([...m, ...items.flatMap((r) => (r.author ? [[r.author.id, r.author.name] as const] : []))]));
  }, [results.data, authors]);

  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setFilters((f) => ({ ...f, [k]: v }));
  const chats = (channels.data?.items ?? []).filter((c) => c.type !== 'category' && !c.locked);
  const go = (r: SearchResult) => {
    setOpen(false);
    navigate(resultPath(r));
  };

  return (
    <div className="cm-search" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
      <input
        ref={input}
        type="search"
        className="cm-search-input"
        placeholder={t('search.placeholder')}
        aria-label={t('search.label')}
        aria-expanded={open}
        aria-controls={panelId}
        aria-keyshortcuts="Control+K /"
        value={q}
        onChange={(e) => {
          setQ(e.target.value);
          setOpen(true);
        }}
        onFocus={() => q.trim().length >= 2 && setOpen(true)}
        data-testid="search-input"
      />
      {open && q.trim().length >= 2 && (
        <section id={panelId} className="cm-search-panel" aria-label={t('search.results')} data-testid="search-panel">
          <div className="cm-search-filters">
            <label>
              {t('search.filter_type')}
              <select value={filters.type} onChange={(e) => set('type', e.target.value as Filters['type'])}>
                <option value="">{t('search.type_all')}</option>
                <option value="message">{t('search.type_message')}</option>
                <option value="post">{t('search.type_post')}</option>
                <option value="member">{t('search.type_member')}</option>
                <option value="community">{t('search.type_community')}</option>
              </select>
            </label>
            <label>
              {t('search.filter_channel')}
              <select value={filters.channel} onChange={(e) => set('channel', e.target.value)}>
                <option value="">{t('search.any_channel')}</option>
                {chats.map((c) => (
                  <option key={c.id} value={c.id}>
                    #{c.name}
                  </option>
                ))}
              </select>
            </label>
            <AuthorFilter
              community={slug}
              value={filters.from}
              onChange={(a) => set('from', a)}
              seen={[...authors].map(([id, name]) => ({ id, name }))}
            />
            <label>
              {t('search.filter_has')}
              <select value={filters.has} onChange={(e) => set('has', e.target.value as Filters['has'])}>
                <option value="">{t('search.has_any')}</option>
                <option value="file">{t('search.has_file')}</option>
                <option value="link">{t('search.has_link')}</option>
              </select>
            </label>
            <label>
              {t('search.filter_after')}
              <input type="date" value={filters.after} onChange={(e) => set('after', e.target.value)} />
            </label>
            <label>
              {t('search.filter_before')}
              <input type="date" value={filters.before} onChange={(e) => set('before', e.target.value)} />
            </label>
          </div>
          {results.isLoading || debounced !== q.trim() ? (
            <p className="cm-muted">{t('search.searching')}</p>
          ) : results.isError ? (
            <p className="cm-muted">{t('search.failed')}</p>
          ) : results.data && results.data.items.length === 0 ? (
            <p className="cm-muted">{t('search.no_results', { q: debounced })}</p>
          ) : (
            <ul className="cm-search-results">
              {results.data?.items.map((r) => (
                <li key={`${r.kind}-${r.id}`}>
                  <a
                    href={resultPath(r)}
                    className="cm-search-result"
                    data-testid="search-result"
                    onClick={(e) => {
                      if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                      e.preventDefault();
                      go(r);
                    }}
                  >
                    <span className="cm-search-where">
                      {t(`search.kind_${r.kind}`)}
                      {r.channel ? ` · #${r.channel.name}` : ''}
                      {r.author && r.kind !== 'member' ? ` · ${r.author.name}` : ''}
                      {r.created_at && r.kind !== 'community' ? ` · ${timeAgo(r.created_at, i18n.language)}` : ''}
                    </span>
                    <span className="cm-search-text">
                      <Highlighted text={r.text} ranges={r.highlights} />
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
