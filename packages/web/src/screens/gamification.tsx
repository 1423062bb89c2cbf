import { LEADERBOARD_PERIODS, type LeaderboardPeriod } from '@communities/contract';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { api } from '../api';
import { Avatar } from '../components/avatar';
import { ErrorNote, errorText } from '../components/error-note';
import { BadgeIcon, LeaderboardView, LevelChip, ProfileBody, ProfileName } from '../components/gamification';
import { linkProps, WEB_BASE } from '../lib/router';
import {
  useAdminGamification,
  useHideFromLeaderboards,
  useLeaderboard,
  useUpdateAdminGamification,
  useUserGamification,
} from '../state/queries/gamification';
import { useFeatures, useMe } from '../state/session';
import { MemberActivity } from './insights';

function PeriodSwitcher({ value, onChange }: { value: LeaderboardPeriod; onChange: (p: LeaderboardPeriod) => void }) {
  const { t } = useTranslation();
  return (
    <div className="cm-segmented" role="group" aria-label={t('gamification.period')}>
      {LEADERBOARD_PERIODS.map((p) => (
        <button key={p} type="button" className="cm-seg" aria-pressed={p === value} onClick={() => onChange(p)}>
          {t(`gamification.period_${p}`)}
        </button>
      ))}
    </div>
  );
}

/** The Leaderboard tab of a community home, or (slug null) the site-wide leaderboard. */
export function LeaderboardTab({ slug }: { slug: string | null }) {
  const { t } = useTranslation();
  const me = useMe();
  const [period, setPeriod] = useState<LeaderboardPeriod>('week');
  const board = useLeaderboard(slug, period);
  return (
    <section className="cm-card cm-leaderboard" aria-labelledby="cm-lb-title">
      <header className="cm-lb-head">
        <h2 id="cm-lb-title">{slug ? t('gamification.leaderboard') : t('gamification.global_leaderboard')}</h2>
        <span className="cm-spacer" />
        <PeriodSwitcher value={period} onChange={setPeriod} />
      </header>
      {board.isError ? (
        <ErrorNote error={board.error} notFound={t('community.not_found')} forbidden={t('community.forbidden')} />
      ) : board.data ? (
        <LeaderboardView board={board.data} me={me.data?.id} slug={slug ?? undefined} />
      ) : (
        <p>{t('app.loading')}</p>
      )}
    </section>
  );
}

/** The site-wide leaderboard page, /communities/leaderboard: points from every community. */
export function GlobalLeaderboardScreen() {
  const { t } = useTranslation();
  const on = useFeatures().data?.features;
  if (on && (on.leaderboard === false || on.gamification === false))
    return (
      <p className="cm-card" data-testid="not-found">
        {t('community.not_found')}
      </p>
    );
  return (
    <div className="cm-leaderboard-page" data-testid="global-leaderboard">
      <LeaderboardTab slug={null} />
    </div>
  );
}

/** The community sidebar's top five this week, linking to the full tab. */
export function TopFiveWidget({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const board = useLeaderboard(slug, 'week');
  if (!board.data) return null;
  return (
    <section className="cm-card cm-top5" aria-labelledby="cm-top5-title">
      <h2 id="cm-top5-title">{t('gamification.top_week')}</h2>
      {board.data.items.length === 0 ? (
        <p className="cm-muted cm-small">{t('gamification.empty')}</p>
      ) : (
        <ol className="cm-top5-list">
          {board.data.items.slice(0, 5).map((e) => (
            <li key={e.user.id}>
              <span className="cm-rank-n">{e.rank}</span>
              <Avatar name={e.user.name} url={e.user.avatar_url} size={24} />
              <ProfileName user={e.user} communityId={board.data.community_id} slug={slug} />
              <LevelChip level={e.level} />
              <span className="cm-spacer" />
              <span className="cm-small cm-muted">{e.points}</span>
            </li>
          ))}
        </ol>
      )}
      <a className="cm-link" {...linkProps(`${WEB_BASE}/${slug}/leaderboard`)}>
        {t('gamification.see_all')}
      </a>
    </section>
  );
}

function PrivacyToggle({ hidden }: { hidden: boolean }) {
  const { t } = useTranslation();
  const save = useHideFromLeaderboards();
  // The choice shows at once and stays while the profile refetches; a refusal puts it back.
  const [value, setValue] = useState(hidden);
  useEffect(() => setValue(hidden), [hidden]);
  return (
    <label className="cm-check">
      <input
        type="checkbox"
        checked={value}
        disabled={save.isPending}
        onChange={(e) => {
          const next = e.target.checked;
          setValue(next);
          save.mutate(next, { onError: () => setValue(!next) });
        }}
      />
      {t('gamification.hide_me')}
      {save.isError && (
        <span role="alert" className="cm-danger">
          {' '}
          {errorText(t, save.error)}
        </span>
      )}
    </label>
  );
}

/** A profile page: site-wide, or in one community (slug given). The owner also gets the privacy toggle. */
export function ProfileScreen({ userId, slug }: { userId: number; slug: string | null }) {
  const { t } = useTranslation();
  const me = useMe();
  const features = useFeatures();
  const community = useQuery({
    queryKey: ['community', slug],
    queryFn: () => api.communities.get({ params: { id: slug! } }),
    enabled: slug !== null,
    retry: false,
  });
  const communityId = slug === null ? null : (community.data?.id ?? null);
  const g = useUserGamification(slug !== null && communityId === null ? null : userId, communityId);
  const error = g.error ?? community.error;
  return (
    <div className="cm-profile-page">
      {slug && (
        <a className="cm-back cm-back--dark" {...linkProps(`${WEB_BASE}/${slug}`)}>
          <span className="cm-flip" aria-hidden="true">
            ←
          </span>{' '}
          <bdi>{community.data?.name ?? slug}</bdi>
        </a>
      )}
      {error ? (
        <ErrorNote error={error} notFound={t('gamification.no_profile')} forbidden={t('gamification.no_profile')} />
      ) : g.data ? (
        <section className="cm-card" aria-label={t('gamification.profile_of', { name: g.data.user.name })}>
          <ProfileBody g={g.data} full />
          {me.data?.id === userId && <PrivacyToggle hidden={g.data.hide_from_leaderboards} />}
        </section>
      ) : (
        <p>{t('app.loading')}</p>
      )}
      {features.data?.features.heatmap !== false && (slug === null || communityId !== null) && (
        <MemberActivity userId={userId} communityId={communityId} isMe={me.data?.id === userId} />
      )}
    </div>
  );
}

/** Site admins: point values, level thresholds and badges, edited at runtime. */
export function GamificationAdminScreen() {
  const { t } = useTranslation();
  const me = useMe();
  const isAdmin = me.data?.global_role === 'admin';
  const settings = useAdminGamification(isAdmin);
  const save = useUpdateAdminGamification();
  const [points, setPoints] = useState<Record<string, string>>({});
  const [thresholds, setThresholds] = useState<string | null>(null);
  const [badges, setBadges] = useState<string | null>(null);
  const [badgeError, setBadgeError] = useState(false);
  if (!isAdmin) return <p className="cm-card">{t('gamification.admin_only')}</p>;
  if (settings.isError)
    return <ErrorNote error={settings.error} notFound={t('gamification.admin_only')} forbidden={t('gamification.admin_only')} />;
  const s = settings.data;
  if (!s) return <p>{t('app.loading')}</p>;
  const thresholdText = thresholds ?? s.level_thresholds.join(', ');
  const badgeText = badges ?? JSON.stringify(s.badges, null, 2);
  const submit = () => {
    let parsedBadges: unknown = undefined;
    if (badges !== null) {
      try {
        parsedBadges = JSON.parse(badges);
        setBadgeError(false);
      } catch {
        setBadgeError(true);
        return;
      }
    }
    const changed = Object.fromEntries(Object.entries(points).map(([k, v]) => [k, Number(v)]));
    save.mutate(
      {
        ...(Object.keys(changed).length ? { points: changed } : {}),
        ...(thresholds !== null
          ? {
              level_thresholds: thresholds
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean)
                .map(Number),
            }
          : {}),
        ...(parsedBadges !== undefined ? { badges: parsedBadges as typeof s.badges } : {}),
      },
      {
        onSuccess: () => {
          setPoints({});
          setThresholds(null);
          setBadges(null);
        },
      },
    );
  };
  return (
    <form
      className="cm-card cm-gam-admin"
      aria-labelledby="cm-gam-admin-title"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h1 id="cm-gam-admin-title">{t('gamification.admin_title')}</h1>
      <fieldset>
        <legend>{t('gamification.admin_points')}</legend>
        <div className="cm-gam-grid">
          {Object.entries(s.points).map(([k, v]) => (
            <label key={k}>
              <span>{t(`gamification.reason.${k}`, { defaultValue: k })}</span>
              <input
                className="cm-input"
                type="number"
                min={0}
                value={points[k] ?? String(v)}
                onChange={(e) => setPoints((p) => ({ ...p, [k]: e.target.value }))}
              />
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('gamification.admin_thresholds')}</legend>
        <label>
          <span className="cm-small cm-muted">{t('gamification.admin_thresholds_hint')}</span>
          <input className="cm-input" value={thresholdText} onChange={(e) => setThresholds(e.target.value)} />
        </label>
        <p className="cm-gam-levels">
          {s.level_thresholds.map((p, i) => (
            <span key={i} className="cm-pill">
              {t('gamification.level_short', { level: i + 1 })} · {p}
            </span>
          ))}
        </p>
      </fieldset>
      <fieldset>
        <legend>{t('gamification.admin_badges')}</legend>
        <ul className="cm-badges">
          {s.badges.map((b) => (
            <li key={b.slug}>
              <BadgeIcon icon={b.icon} /> {b.name}{' '}
              <span className="cm-muted cm-small">
                ({t(`gamification.rule.${b.rule}`, { defaultValue: b.rule })}, {b.threshold})
              </span>
            </li>
          ))}
        </ul>
        <label>
          <span className="cm-small cm-muted">{t('gamification.admin_badges_hint')}</span>
          <textarea className="cm-input cm-mono" rows={8} value={badgeText} onChange={(e) => setBadges(e.target.value)} />
        </label>
        {badgeError && (
          <p role="alert" className="cm-danger">
            {t('gamification.admin_badges_json')}
          </p>
        )}
      </fieldset>
      <div className="cm-composer-foot">
        {save.isError && (
          <span role="alert" className="cm-danger">
            {errorText(t, save.error)}
          </span>
        )}
        {save.isSuccess && <span role="status">{t('gamification.admin_saved')}</span>}
        <span className="cm-spacer" />
        <button type="submit" className="cm-button" disabled={save.isPending}>
          {t('gamification.admin_save')}
        </button>
      </div>
    </form>
  );
}
