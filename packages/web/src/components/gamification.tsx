import {
  levelUpEventSchema,
  realtimeChannel,
  type Channel,
  type Leaderboard,
  type LevelUpEvent,
  type UserGamification,
} from '@communities/contract';
import { channelKeys, gamificationKeys } from '@communities/client';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useId, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

import { timeAgo } from '../lib/format';
import { linkProps, WEB_BASE } from '../lib/router';
import { useRealtime, useRealtimeEvent } from '../state/realtime';
import { useFeatures } from '../state/session';
import { useUserGamification } from '../state/queries/gamification';

import { Avatar } from './avatar';

/** Where a user's profile page lives: inside a community, or site-wide. */
export const profilePath = (userId: number, slug?: string) =>
  slug ? `${WEB_BASE}/${slug}/members/${userId}` : `${WEB_BASE}/profile/${userId}`;

export const useGamificationOn = (): boolean => useFeatures().data?.features.gamification !== false;

/** "Lv 3": a small chip beside a name. Given the level, or looked up (cached per user). */
export function LevelChip({ level, userId, communityId }: { level?: number; userId?: number; communityId?: number | null }) {
  const { t } = useTranslation();
  const on = useGamificationOn();
  const looked = useUserGamification(level === undefined && on && userId !== undefined ? userId : null, communityId ?? null);
  const n = level ?? looked.data?.level.level;
  if (!on || n === undefined) return null;
  return (
    <span className={`cm-level cm-level--${Math.min(n, 9)}`} title={t('gamification.level', { level: n })} data-testid="level-chip">
      {t('gamification.level_short', { level: n })}
    </span>
  );
}

export function ProgressBar({ g }: { g: UserGamification }) {
  const { t } = useTranslation();
  const pct = Math.round(g.level.progress * 100);
  const next = g.level.next_level_at;
  return (
    <div className="cm-progress-wrap">
      <div
        className="cm-progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-label={t('gamification.progress_label', { level: g.level.level + 1 })}
      >
        <span style={{ width: `${pct}%` }} />
      </div>
      <p className="cm-small cm-muted">
        {next === null ? t('gamification.top_level') : t('gamification.to_next', { count: next - g.points, level: g.level.level + 1 })}
      </p>
    </div>
  );
}

/** A badge's icon: an emoji, or an inline SVG given in config (rendered as an image, never as markup). */
export function BadgeIcon({ icon }: { icon: string }) {
  if (icon.trim().startsWith('<svg'))
    return <img className="cm-badge-icon" alt="" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(icon)}`} />;
  return (
    <span className="cm-badge-icon" aria-hidden="true">
      {icon}
    </span>
  );
}

/** Level, progress, badges and recent awards: shared by the popover and the profile page. */
export function ProfileBody({ g, full = false }: { g: UserGamification; full?: boolean }) {
  const { t, i18n } = useTranslation();
  const awards = full ? g.recent_awards : g.recent_awards.slice(0, 5);
  return (
    <div className="cm-profile-body">
      <div className="cm-profile-head">
        <Avatar name={g.user.name} url={g.user.avatar_url} size={full ? 56 : 40} />
        <div>
          <strong className="cm-profile-name">{g.user.name}</strong>
          <div>
            <LevelChip level={g.level.level} /> <span data-testid="profile-points">{t('gamification.points', { count: g.points })}</span>
          </div>
        </div>
      </div>
      <ProgressBar g={g} />
      <h3 className="cm-profile-h">{t('gamification.badges')}</h3>
      {g.badges.length === 0 ? (
        <p className="cm-small cm-muted">{t('gamification.no_badges')}</p>
      ) : (
        <ul className="cm-badges">
          {g.badges.map((b) => (
            <li key={`${b.slug}-${b.community_id ?? 0}`} title={b.description || b.name}>
              <BadgeIcon icon={b.icon} /> <span>{b.name}</span>
            </li>
          ))}
        </ul>
      )}
      <h3 className="cm-profile-h">{t('gamification.recent')}</h3>
      {awards.length === 0 ? (
        <p className="cm-small cm-muted">{t('gamification.no_awards')}</p>
      ) : (
        <ul className="cm-awards">
          {awards.map((a) => (
            <li key={a.id}>
              <span>{t(`gamification.reason.${a.type.replace(/^reversal:/, '')}`, { defaultValue: a.type })}</span>
              {a.type.startsWith('reversal:') && <span className="cm-muted"> · {t('gamification.reversed')}</span>}
              <span className="cm-spacer" />
              <span className={a.points < 0 ? 'cm-danger' : 'cm-award-plus'}>
                {a.points > 0 ? '+' : ''}
                {a.points}
              </span>
              <span className="cm-muted cm-small">{timeAgo(a.occurred_at, i18n.language)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * A name that opens the user's profile panel (level, progress, badges, recent awards) in a
 * popover; the panel links to the full profile page. Renders the plain name when gamification is off.
 */
export function ProfileName({
  user,
  communityId = null,
  slug,
  className,
}: {
  user: { id: number; name: string };
  communityId?: number | null;
  slug?: string;
  className?: string;
}) {
  const { t } = useTranslation();
  const on = useGamificationOn();
  const [open, setOpen] = useState(false);
  const [place, setPlace] = useState<CSSProperties>({});
  const id = useId();
  const ref = useRef<HTMLSpanElement>(null);
  // Fixed to the viewport beside the name, so a scrolling message list never clips it.
  const toggle = () => {
    const r = ref.current?.getBoundingClientRect();
    if (r && !open) {
      const width = Math.min(320, window.innerWidth - 16);
      const left = Math.max(8, Math.min(r.left, window.innerWidth - width - 8));
      const below = window.innerHeight - r.bottom;
      setPlace(
        below >= 320 || below >= r.top
          ? { left, top: r.bottom + 6, width, maxHeight: below - 14 }
          : { left, bottom: window.innerHeight - r.top + 6, width, maxHeight: r.top - 14 },
      );
    }
    setOpen((o) => !o);
  };
  const g = useUserGamification(open ? user.id : null, communityId);
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', away);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('mousedown', away);
      document.removeEventListener('keydown', esc);
    };
  }, [open]);
  if (!on) return <strong className={className}>{user.name}</strong>;
  return (
    <span className="cm-pname" ref={ref}>
      <button
        type="button"
        className={`cm-pname-btn ${className ?? ''}`}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={toggle}
      >
        {user.name}
      </button>
      {open && (
        <div className="cm-popover" style={place} id={id} role="dialog" aria-label={t('gamification.profile_of', { name: user.name })}>
          {g.data ? <ProfileBody g={g.data} /> : g.isError ? <p>{t('app.error')}</p> : <p>{t('app.loading')}</p>}
          <a className="cm-link" {...linkProps(profilePath(user.id, slug))}>
            {t('gamification.view_profile')}
          </a>
        </div>
      )}
    </span>
  );
}

/** Podium for the top three, then a ranked list; the viewer's own rank pinned below when outside it. */
export function LeaderboardView({ board, me, slug }: { board: Leaderboard; me: number | undefined; slug?: string }) {
  const { t } = useTranslation();
  const top = board.items.slice(0, 3);
  const rest = board.items.slice(3);
  const mineShown = board.items.some((e) => e.user.id === me);
  const order = [top[1], top[0], top[2]].filter((e) => e !== undefined);
  if (board.items.length === 0) return <p className="cm-empty">{t('gamification.empty')}</p>;
  return (
    <div className="cm-board">
      <ol className="cm-podium" aria-label={t('gamification.podium')}>
        {order.map((e) => (
          <li key={e.user.id} className={`cm-podium-step cm-podium-step--${e.rank}`} value={e.rank}>
            <span className="cm-podium-medal" aria-hidden="true">
              {e.rank}
            </span>
            <Avatar name={e.user.name} url={e.user.avatar_url} size={e.rank === 1 ? 64 : 48} />
            <ProfileName user={e.user} communityId={board.community_id} slug={slug} />
            <LevelChip level={e.level} />
            <span className="cm-podium-points">{t('gamification.points', { count: e.points })}</span>
          </li>
        ))}
      </ol>
      {rest.length > 0 && (
        <ol className="cm-rank-list" aria-label={t('gamification.ranking')}>
          {rest.map((e) => (
            <li key={e.user.id} value={e.rank} className={e.user.id === me ? 'cm-rank--me' : undefined}>
              <span className="cm-rank-n">{e.rank}</span>
              <Avatar name={e.user.name} url={e.user.avatar_url} size={28} />
              <ProfileName user={e.user} communityId={board.community_id} slug={slug} />
              <LevelChip level={e.level} />
              {e.hidden && <span className="cm-pill">{t('gamification.hidden')}</span>}
              <span className="cm-spacer" />
              <span>{t('gamification.points', { count: e.points })}</span>
            </li>
          ))}
        </ol>
      )}
      {!mineShown && (
        <p className="cm-rank-pinned" data-testid="my-rank">
          {board.viewer.rank === null
            ? t('gamification.you_unranked')
            : t('gamification.you_rank', { rank: board.viewer.rank, count: board.viewer.points })}{' '}
          <LevelChip level={board.viewer.level} />
        </p>
      )}
      {mineShown && (
        <p className="cm-rank-pinned" data-testid="my-rank">
          {t('gamification.you_rank', { rank: board.viewer.rank ?? 0, count: board.viewer.points })}
        </p>
      )}
    </div>
  );
}

/** Listens on the user's own channel for level-ups: refreshes points and shows a toast. */
export function LevelUpToasts() {
  const { t } = useTranslation();
  const hub = useRealtime();
  const qc = useQueryClient();
  const [toasts, setToasts] = useState<Array<LevelUpEvent & { key: number }>>([]);
  const channel = hub ? realtimeChannel.user(hub.prefix, hub.me) : null;
  useRealtimeEvent(channel, 'gamification.level_up', (data) => {
    const parsed = levelUpEventSchema.safeParse(data);
    if (!parsed.success) return;
    const key = Date.now() + Math.random();
    setToasts((ts) => [...ts, { ...parsed.data, key }]);
    void qc.invalidateQueries({ queryKey: gamificationKeys.all });
    // Channels may unlock at a new level (both key schemes while the web moves to the shared factories).
    void qc.invalidateQueries({ queryKey: channelKeys.all });
    void qc.invalidateQueries({ queryKey: ['channels'] });
    setTimeout(() => setToasts((ts) => ts.filter((x) => x.key !== key)), 8000);
  });
  if (toasts.length === 0) return null;
  return (
    <div className="cm-toasts" role="status" aria-live="polite">
      {toasts.map((x) => (
        <div key={x.key} className="cm-toast" data-testid="level-up-toast">
          <span className="cm-toast-icon" aria-hidden="true">
            ★
          </span>
          <div>
            <strong>{t('gamification.level_up_title', { level: x.level })}</strong>
            <div className="cm-small">
              {x.next_level_at === null
                ? t('gamification.top_level')
                : t('gamification.to_next', { count: x.next_level_at - x.points, level: x.level + 1 })}
            </div>
          </div>
          <button
            type="button"
            className="cm-icon-btn"
            aria-label={t('gamification.dismiss')}
            onClick={() => setToasts((ts) => ts.filter((y) => y.key !== x.key))}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

/** Which community the names below belong to (chat in a channel); none means site-wide (DMs). */
const NameScope = createContext<{ communityId: number | null; slug?: string }>({ communityId: null });

export function NameScopeProvider({ communityId, slug, children }: { communityId: number | null; slug?: string; children: ReactNode }) {
  return <NameScope.Provider value={{ communityId, slug }}>{children}</NameScope.Provider>;
}

/** An author line's name: opens the profile popover, with the level chip beside it. */
export function AuthorName({
  user,
  communityId,
  className,
}: {
  user: { id: number; name: string };
  communityId?: number | null;
  className?: string;
}) {
  const scope = useContext(NameScope);
  const cid = communityId === undefined ? scope.communityId : communityId;
  return (
    <>
      <ProfileName user={user} communityId={cid} slug={scope.slug} className={className} />
      <LevelChip userId={user.id} communityId={cid} />
    </>
  );
}

/** In the channel sidebar: a lock and the level a locked channel needs (or that it is for subscribers). */
export function LockedMark({ channel }: { channel: Channel }) {
  const { t } = useTranslation();
  if (!channel.locked) return null;
  if (channel.locked_reason === 'tier_required')
    return (
      <span className="cm-chan-locked" title={t('pricing.locked_short')} data-testid="channel-locked">
        <span aria-hidden="true">🔒</span>
        <span className="cm-visually-hidden">{t('pricing.locked_short')}</span>
      </span>
    );
  return (
    <span className="cm-chan-locked" title={t('gamification.locked', { level: channel.min_level })} data-testid="channel-locked">
      <span aria-hidden="true">🔒</span>
      <span className="cm-visually-hidden">{t('gamification.locked', { level: channel.min_level })}</span>
      <span aria-hidden="true">{t('gamification.level_short', { level: channel.min_level })}</span>
    </span>
  );
}

/** In place of the conversation of a channel the viewer's level does not open yet. */
export function LockedNote({ channel }: { channel: Channel }) {
  const { t } = useTranslation();
  return (
    <div className="cm-welcome cm-locked-note" data-testid="locked-note">
      <span className="cm-welcome-icon" aria-hidden="true">
        🔒
      </span>
      <h2>{t('gamification.locked_title', { name: `#${channel.name}` })}</h2>
      <p className="cm-muted">{t('gamification.locked_body', { level: channel.min_level })}</p>
    </div>
  );
}
