import { ApiError } from '@communities/client';
import type { CommunityCard as Card } from '@communities/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { CommunityCard } from '../components/community-card';
import { linkProps } from '../lib/router';
import { CREATE_PATH } from './create-community';
import { canCreateCommunity } from '../state/queries/wizard';
import { useMe } from '../state/session';
import { useCommunitiesQuery, useJoinMutation } from '../state/queries/communities';

type Filters = { q: string; joined: '' | 'true' | 'false'; price: '' | 'free' | 'paid'; sort: 'activity' | 'members' | 'newest' };

export function DiscoverScreen({ signedIn }: { signedIn: boolean }) {
  const { t } = useTranslation();
  const [f, setF] = useState<Filters>({ q: '', joined: '', price: '', sort: 'activity' });
  const list = useCommunitiesQuery({
    sort: f.sort,
    ...(f.q ? { q: f.q } : {}),
    ...(f.joined ? { joined: f.joined === 'true' } : {}),
    ...(f.price ? { price: f.price } : {}),
  });
  const join = useJoinMutation();
  const me = useMe();
  const cards = list.data?.pages.flatMap((p) => p.items) ?? [];
  const seg = <K extends keyof Filters>(key: K, options: Array<[Filters[K], string]>) => (
    <div className="cm-seg" role="group">
      {options.map(([value, label]) => (
        <button
          key={String(value)}
          type="button"
          aria-pressed={f[key] === value}
          className={f[key] === value ? 'cm-seg-btn cm-seg-btn--on' : 'cm-seg-btn'}
          onClick={() => setF({ ...f, [key]: value })}
        >
          {label}
        </button>
      ))}
    </div>
  );
  return (
    <section className="cm-discover" aria-labelledby="cm-discover-title">
      <header className="cm-hero">
        <h1 id="cm-discover-title">{t('discover.title')}</h1>
        <p>{t('discover.subtitle')}</p>
        {me.data && canCreateCommunity(me.data) && (
          <a className="cm-button cm-create-button" {...linkProps(CREATE_PATH)}>
            + {t('wizard.create_button')}
          </a>
        )}
        <input
          className="cm-search"
          type="search"
          placeholder={t('discover.search')}
          aria-label={t('discover.search')}
          value={f.q}
          onChange={(e) => setF({ ...f, q: e.target.value })}
        />
      </header>
      <div className="cm-filters">
        {signedIn &&
          seg('joined', [
            ['', t('discover.all')],
            ['true', t('discover.joined')],
            ['false', t('discover.not_joined')],
          ])}
        {seg('price', [
          ['', t('discover.all')],
          ['free', t('discover.free')],
          ['paid', t('discover.paid')],
        ])}
        <label className="cm-sort">
          {t('discover.sort')}
          <select value={f.sort} onChange={(e) => setF({ ...f, sort: e.target.value as Filters['sort'] })}>
            <option value="activity">{t('discover.sort_activity')}</option>
            <option value="members">{t('discover.sort_members')}</option>
            <option value="newest">{t('discover.sort_newest')}</option>
          </select>
        </label>
      </div>
      {list.isError && <p role="alert">{list.error instanceof ApiError && list.error.isNetwork ? t('app.offline') : t('app.error')}</p>}
      {list.isSuccess && cards.length === 0 && <p className="cm-empty">{t('discover.empty')}</p>}
      <div className="cm-grid">
        {cards.map((c) => (
          <CommunityCard
            key={c.id}
            card={c}
            busy={join.isPending}
            {...(signedIn ? { onJoin: (card: Card) => join.mutate(card.slug) } : {})}
          />
        ))}
      </div>
      {list.hasNextPage && (
        <button
          type="button"
          className="cm-button cm-button--ghost cm-more"
          onClick={() => void list.fetchNextPage()}
          disabled={list.isFetchingNextPage}
        >
          {t('discover.load_more')}
        </button>
      )}
    </section>
  );
}
