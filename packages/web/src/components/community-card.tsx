import type { CommunityCard as Card } from '@communities/contract';
import { useTranslation } from 'react-i18next';

import { hue, price } from '../lib/format';
import { linkProps, WEB_BASE } from '../lib/router';

export function PriceTag({ card }: { card: Card }) {
  const { t, i18n } = useTranslation();
  if (!card.price) return <span className="cm-pill cm-pill--on">{t('discover.free')}</span>;
  const p = price(card.price.amount_minor, card.price.currency, i18n.language);
  const key =
    card.price.interval === 'monthly' ? 'discover.per_month' : card.price.interval === 'yearly' ? 'discover.per_year' : 'discover.once';
  return <span className="cm-pill cm-pill--paid">{t(key, { price: p })}</span>;
}

export function CommunityCard({ card, onJoin, busy }: { card: Card; onJoin?: (card: Card) => void; busy?: boolean }) {
  const { t } = useTranslation();
  const m = card.viewer_membership;
  return (
    <article className="cm-ccard" aria-labelledby={`cm-c-${card.id}`}>
      <a
        className="cm-ccard-cover"
        {...linkProps(`${WEB_BASE}/${card.slug}`)}
        style={{ background: `linear-gradient(135deg, hsl(${hue(card.name)} 70% 62%), hsl(${(hue(card.name) + 40) % 360} 70% 48%))` }}
        aria-hidden="true"
        tabIndex={-1}
      >
        <span className="cm-ccard-initial">{card.name.slice(0, 1)}</span>
      </a>
      <div className="cm-ccard-body">
        <h3 id={`cm-c-${card.id}`} className="cm-ccard-title">
          <a {...linkProps(`${WEB_BASE}/${card.slug}`)}>{card.name}</a>
        </h3>
        {card.description && <p className="cm-ccard-desc">{card.description}</p>}
        <div className="cm-ccard-meta">
          <span>{t('discover.members', { count: card.member_count })}</span>
          <span className={`cm-activity cm-activity--${card.activity_level}`}>{t(`activity.${card.activity_level}`)}</span>
          {card.visibility !== 'public' && <span className="cm-muted">{t(`visibility.${card.visibility}`)}</span>}
          <PriceTag card={card} />
        </div>
      </div>
      <div className="cm-ccard-actions">
        {m?.status === 'active' || m?.status === 'muted' ? (
          <span className="cm-pill">{t(`membership.role_${m.role}`, { defaultValue: t('membership.member') })}</span>
        ) : m?.status === 'pending' ? (
          <span className="cm-pill">{t('membership.pending')}</span>
        ) : onJoin ? (
          <button type="button" className="cm-button" disabled={busy} onClick={() => onJoin(card)}>
            {card.visibility === 'public' ? t('membership.join') : t('membership.request')}
          </button>
        ) : null}
      </div>
    </article>
  );
}
