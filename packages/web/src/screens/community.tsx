import { ApiError, feedKeys } from '@communities/client';
import type { CommunityDetail } from '@communities/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { Avatar } from '../components/avatar';
import { PriceTag } from '../components/community-card';
import { BuyTiers, RevenueTab } from '../components/paid';
import { Feed } from '../components/feed/feed';
import { PlusIcon } from '../components/icons';
import { hue, timeAgo } from '../lib/format';
import { channelPath, dmPath, linkProps, navigate, WEB_BASE, type CommunityTab } from '../lib/router';
import { CommunitySettings } from './community-settings';
import { RequestsBadge, RequestsPanel } from '../components/community-admin';
import { usePendingWatch } from '../state/queries/community-admin';
import { ScopeNotificationControl } from '../components/notifications';
import { useCommunityQuery, useCoursesQuery, useJoinMutation, useLeaveMutation, useMembersQuery } from '../state/queries/communities';
import { useStartDmMutation } from '../state/queries/dm';
import { ModerationCentre } from './moderation';
import { MemberModeration } from '../components/member-moderation';
import { ReportButton } from '../components/report-button';
import { useFeatures, useMe } from '../state/session';
import { LeaderboardTab, TopFiveWidget } from './gamification';
import { ProfileName } from '../components/gamification';
import { CommunityActivity, InsightsTab } from './insights';
import { useMemberActivity } from '../state/queries/analytics';

/**
 * Activity this week: each member's actions over the last 7 days, as a table sortable by member
 * or by count (busiest first by default). Owners and moderators always see it; members once the
 * owner turns it on, listing those who show their activity.
 */
function MemberActivityPanel({ slug, c }: { slug: string; c: CommunityDetail }) {
  const { t } = useTranslation();
  const heatmapOn = useFeatures().data?.features.heatmap !== false;
  const shown =
    heatmapOn &&
    (c.viewer_permissions.includes('analytics.view') ||
      (c.settings.show_member_activity && c.viewer_permissions.includes('members.browse') && c.viewer_membership?.status === 'active'));
  const week = useMemberActivity(slug, shown);
  const [sort, setSort] = useState<'count' | 'name'>('count');
  if (!shown || !week.data) return null;
  const rows = [...week.data.items].sort((a, b) =>
    sort === 'count' ? b.count - a.count || a.user.name.localeCompare(b.user.name) : a.user.name.localeCompare(b.user.name),
  );
  const header = (key: 'count' | 'name', label: string) => (
    <th scope="col" aria-sort={sort === key ? (key === 'count' ? 'descending' : 'ascending') : 'none'}>
      <button type="button" onClick={() => setSort(key)}>
        {label}
        {sort === key ? (key === 'count' ? ' ↓' : ' ↑') : ''}
      </button>
    </th>
  );
  return (
    <section className="cm-card cm-member-week" aria-labelledby="cm-member-week" data-testid="member-activity">
      <h2 id="cm-member-week">{t('member_activity.title')}</h2>
      <p className="cm-muted cm-small">
        {t('member_activity.range', { from: week.data.from, to: week.data.to, zone: week.data.timezone })}
      </p>
      {rows.length === 0 ? (
        <p className="cm-muted">{t('member_activity.none')}</p>
      ) : (
        <table className="cm-table cm-week-table">
          <thead>
            <tr>
              {header('name', t('member_activity.member'))}
              {header('count', t('member_activity.actions'))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.user.id} data-testid={`member-week-${r.user.id}`}>
                <td>
                  <ProfileName user={r.user} communityId={c.id} slug={slug} />
                </td>
                <td>{r.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {week.data.hidden > 0 && <p className="cm-muted cm-small">{t('member_activity.hidden', { count: week.data.hidden })}</p>}
    </section>
  );
}

function Members({ slug, c }: { slug: string; c: CommunityDetail }) {
  const communityId = c.id;
  const { t, i18n } = useTranslation();
  const me = useMe();
  const [q, setQ] = useState('');
  const [group, setGroup] = useState<Array<{ id: number; name: string }>>([]);
  const [title, setTitle] = useState('');
  const members = useMembersQuery(slug, q);
  const start = useStartDmMutation();
  const open = (body: { user_ids: number[]; group?: boolean; title?: string }) =>
    start.mutate(body, { onSuccess: (thread) => navigate(dmPath(thread.id)) });
  const inGroup = (id: number) => group.some((g) => g.id === id);
  return (
    <div>
      <input
        className="cm-input"
        type="search"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        placeholder={t('members.search')}
        aria-label={t('members.search')}
      />
      {start.isError && (
        <p role="alert" className="cm-danger">
          {t('dm.start_failed')}
        </p>
      )}
      <MemberActivityPanel slug={slug} c={c} />
      <ul className="cm-members">
        {members.data?.pages
          .flatMap((page) => page.items)
          .map((m) => (
            <li key={m.user.id} aria-label={m.user.name}>
              <Avatar name={m.user.name} url={m.user.avatar_url} />
              <div className="cm-member-text">
                <div>
                  <ProfileName user={m.user} communityId={communityId} slug={slug} />
                </div>
                <div className="cm-muted cm-small">{t('members.joined', { when: timeAgo(m.joined_at, i18n.language) })}</div>
              </div>
              <span className="cm-spacer" />
              <span className="cm-pill">{t(`membership.role_${m.role.slug}`, { defaultValue: m.role.name })}</span>
              {me.data && m.user.id !== me.data.id && (
                <span className="cm-member-actions">
                  <button
                    type="button"
                    className="cm-button cm-button--ghost cm-button--sm"
                    aria-label={t('dm.message_member', { name: m.user.name })}
                    disabled={start.isPending}
                    onClick={() => open({ user_ids: [m.user.id] })}
                  >
                    ✉ {t('dm.message')}
                  </button>
                  <button
                    type="button"
                    className="cm-icon-btn"
                    aria-label={t('dm.add_to_group', { name: m.user.name })}
                    title={t('dm.add_to_group', { name: m.user.name })}
                    aria-pressed={inGroup(m.user.id)}
                    onClick={() =>
                      setGroup((g) =>
                        inGroup(m.user.id) ? g.filter((x) => x.id !== m.user.id) : [...g, { id: m.user.id, name: m.user.name }],
                      )
                    }
                  >
                    {inGroup(m.user.id) ? '✓' : <PlusIcon />}
                  </button>
                  <ReportButton type="user" id={m.user.id} communityId={c.id} />
                  {c.viewer_permissions.includes('members.manage') && m.role.slug !== 'owner' && (
                    <MemberModeration
                      slug={slug}
                      user={m.user}
                      status={m.status}
                      role={m.role.slug}
                      canChangeRole={c.viewer_permissions.includes('members.change_role')}
                    />
                  )}
                </span>
              )}
            </li>
          ))}
      </ul>
      {group.length > 0 && (
        <form
          className="cm-group-bar"
          onSubmit={(e) => {
            e.preventDefault();
            open({ user_ids: group.map((g) => g.id), group: true, ...(title.trim() ? { title: title.trim() } : {}) });
          }}
        >
          <span>{t('dm.group_bar', { count: group.length })}</span>
          <input
            className="cm-input"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            placeholder={t('dm.group_title')}
            aria-label={t('dm.group_title')}
          />
          <button type="submit" className="cm-button" disabled={start.isPending}>
            {t('dm.start_group')}
          </button>
          <button type="button" className="cm-button cm-button--ghost" onClick={() => setGroup([])}>
            {t('dm.clear')}
          </button>
        </form>
      )}
    </div>
  );
}

function Courses({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const courses = useCoursesQuery(slug);
  if (courses.data?.items.length === 0) return <p className="cm-empty">{t('community.no_courses')}</p>;
  return (
    <ul className="cm-courses">
      {courses.data?.items.map((c) => (
        <li key={c.id} className="cm-card">
          <strong>{c.title}</strong>
          {c.url && (
            <a className="cm-button cm-button--ghost" href={c.url}>
              {t('community.open_course')}
            </a>
          )}
        </li>
      ))}
    </ul>
  );
}

export function CommunityScreen({ slug, tab }: { slug: string; tab: CommunityTab }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const features = useFeatures();
  const detail = useCommunityQuery(slug);
  // Membership changes what the feed shows too.
  const refreshFeed = () => void qc.invalidateQueries({ queryKey: feedKeys.community(slug) });
  const join = useJoinMutation();
  const leave = useLeaveMutation();
  // A pending requester's page turns into the member view when a moderator decides.
  const [decided, setDecided] = useState<{ decision: string; message: string | null } | null>(null);
  const [asking, setAsking] = useState(false);
  const [intro, setIntro] = useState('');
  usePendingWatch(slug, detail.data?.viewer_membership?.status === 'pending', setDecided);

  if (detail.isError) {
    const e = detail.error;
    return (
      <p role="alert" className="cm-card">
        {e instanceof ApiError && e.status === 404 ? t('community.not_found') : t('app.error')}
      </p>
    );
  }
  const c = detail.data;
  if (!c) return <p>{t('app.loading')}</p>;
  const can = (a: string) => c.viewer_permissions.includes(a);
  const m = c.viewer_membership;
  // viewer_permissions answers channel.* for an open text channel of the community.
  const chat = features.data?.features.channels !== false && can('channel.view');
  const heatmapOn = features.data?.features.heatmap !== false;
  const tabs = [
    ['feed', t('community.tab_feed'), can('feed.read')],
    ['channels', t('channels.tab'), chat],
    // The roster: hidden from ordinary members when the owner turns show_member_list off (the server's members.browse).
    ['members', t('community.tab_members'), can('members.browse')],
    ['leaderboard', t('gamification.tab'), features.data?.features.leaderboard !== false && can('feed.read')],
    ['courses', t('community.tab_courses'), true],
    ['requests', t('requests.tab'), can('members.manage') && (c.visibility !== 'public' || c.settings.join_approval)],
    ['settings', t('community.tab_settings'), can('community.update') || can('members.manage') || (chat && can('channel.manage'))],
    ['moderation', t('moderation.centre'), can('moderation.review')],
    ['insights', t('insights.tab'), heatmapOn && can('analytics.view')],
    ['revenue', t('pricing.revenue_tab'), features.data?.features.pricing_tiers !== false && can('analytics.view')],
  ] as const;
  const visibleTab = tabs.find(([k, , ok]) => k === tab && ok) ? tab : 'courses';
  const tabPath = (k: string) => (k === 'channels' ? channelPath(c.slug) : `${WEB_BASE}/${c.slug}${k === 'feed' ? '' : `/${k}`}`);
  return (
    <div className="cm-community">
      <div
        className="cm-banner"
        style={{ background: `linear-gradient(120deg, hsl(${hue(c.name)} 70% 60%), hsl(${(hue(c.name) + 50) % 360} 70% 45%))` }}
      >
        <a className="cm-back" {...linkProps(WEB_BASE)}>
          <span className="cm-flip" aria-hidden="true">
            ←
          </span>{' '}
          {t('community.back')}
        </a>
        <h1>{c.name}</h1>
      </div>
      <nav className="cm-tabs" aria-label={c.name}>
        {tabs
          .filter(([, , ok]) => ok)
          .map(([k, label]) => (
            <a
              key={k}
              className={k === visibleTab ? 'cm-tab cm-tab--on' : 'cm-tab'}
              aria-current={k === visibleTab ? 'page' : undefined}
              {...linkProps(tabPath(k))}
            >
              {label}
              {k === 'requests' && <RequestsBadge slug={c.slug} />}
            </a>
          ))}
      </nav>
      <div className="cm-layout">
        <main className="cm-main-col">
          {visibleTab === 'feed' && heatmapOn && can('analytics.view') && <CommunityActivity slug={c.slug} />}
          {visibleTab === 'feed' && <Feed slug={c.slug} communityId={c.id} canPost={can('feed.post') && c.viewer_capabilities.compose} />}
          {visibleTab === 'insights' && <InsightsTab slug={c.slug} />}
          {visibleTab === 'revenue' && <RevenueTab slug={c.slug} />}
          {visibleTab === 'members' && <Members slug={c.slug} c={c} />}
          {visibleTab === 'leaderboard' && <LeaderboardTab slug={c.slug} />}
          {visibleTab === 'settings' && <CommunitySettings c={c} chat={chat} pricing={features.data?.features.pricing_tiers !== false} />}
          {visibleTab === 'requests' && <RequestsPanel slug={c.slug} />}
          {visibleTab === 'moderation' && <ModerationCentre slug={c.slug} canEditWords={can('community.update')} />}
          {visibleTab === 'courses' &&
            (can('feed.read') || c.visibility === 'public' ? (
              <Courses slug={c.slug} />
            ) : (
              <p className="cm-card">{t('community.forbidden')}</p>
            ))}
        </main>
        <aside className="cm-side">
          <section className="cm-card">
            <h2>{t('community.about')}</h2>
            {c.description && <p>{c.description}</p>}
            <p className="cm-muted">{t('community.owner', { name: c.owner.name })}</p>
            <p>
              {t('discover.members', { count: c.member_count })} · {t(`activity.${c.activity_level}`)} · {t(`visibility.${c.visibility}`)}
            </p>
            <PriceTag card={c} />
            {c.price && m?.role !== 'owner' && features.data?.features.pricing_tiers !== false && <BuyTiers slug={c.slug} />}
            <div className="cm-side-actions">
              {m?.status === 'pending' ? (
                <>
                  <span className="cm-pill">{t('membership.pending')}</span>
                  <button
                    type="button"
                    className="cm-button cm-button--ghost"
                    onClick={() => leave.mutate(slug, { onSuccess: refreshFeed })}
                    disabled={leave.isPending}
                  >
                    {t('requests.cancel')}
                  </button>
                </>
              ) : m && m.role !== 'owner' ? (
                <button
                  type="button"
                  className="cm-button cm-button--ghost"
                  onClick={() => leave.mutate(slug, { onSuccess: refreshFeed })}
                  disabled={leave.isPending}
                >
                  {t('membership.leave')}
                </button>
              ) : !m && c.viewer_capabilities.join === 'request' ? (
                asking ? (
                  <form
                    className="cm-ask-form"
                    aria-label={t('requests.ask_title')}
                    onSubmit={(e) => {
                      e.preventDefault();
                      join.mutate(
                        { id: slug, intro: intro.trim() },
                        {
                          onSuccess: () => {
                            setAsking(false);
                            setDecided(null);
                            refreshFeed();
                          },
                        },
                      );
                    }}
                  >
                    <label className="cm-field">
                      <span>{t('requests.ask_intro')}</span>
                      <textarea value={intro} maxLength={1000} rows={3} onChange={(e) => setIntro(e.target.value)} />
                    </label>
                    <button type="submit" className="cm-button" disabled={join.isPending}>
                      {t('requests.send')}
                    </button>
                  </form>
                ) : (
                  <button type="button" className="cm-button" onClick={() => setAsking(true)}>
                    {t('membership.request')}
                  </button>
                )
              ) : !m && c.viewer_capabilities.join === 'join' ? (
                <button
                  type="button"
                  className="cm-button"
                  onClick={() => join.mutate(slug, { onSuccess: refreshFeed })}
                  disabled={join.isPending}
                >
                  {t('membership.join')}
                </button>
              ) : null}
              {decided && (
                <p role="status" className="cm-small">
                  {decided.decision === 'approved' ? t('requests.you_approved') : t('requests.you_rejected')}
                  {decided.message ? ` “${decided.message}”` : ''}
                </p>
              )}
              {join.isError && join.error instanceof ApiError && join.error.details.reason === 'tier_required' && (
                <span role="alert">{t('membership.needs_tier')}</span>
              )}
            </div>
          </section>
          {m && m.status !== 'pending' && (
            <section className="cm-card" aria-labelledby="cm-community-notify">
              <h2 id="cm-community-notify">{t('notifications.prefs.settings_title')}</h2>
              <ScopeNotificationControl communityId={c.id} communityName={c.name} />
            </section>
          )}
          {features.data?.features.leaderboard !== false && can('feed.read') && visibleTab !== 'leaderboard' && (
            <TopFiveWidget slug={c.slug} />
          )}
        </aside>
      </div>
    </div>
  );
}
