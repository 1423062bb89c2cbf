import { bucketLabel, insightsRange, todayIn } from '@communities/client';
import {
  ACTIVITY_KINDS,
  ANALYTICS_PERIODS,
  endpoints,
  type ActivityKind,
  type AnalyticsPeriod,
  type CommunityAnalytics,
} from '@communities/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { api } from '../api';
import { Avatar } from '../components/avatar';
import { RankBars, SeriesChart, type ChartPoint } from '../components/charts';
import { ErrorNote } from '../components/error-note';
import { ProfileName } from '../components/gamification';
import { ActivityCalendar, HourGrid } from '../components/heatmap';
import { SavedCheckbox } from '../components/saved-checkbox';
import {
  useCommunityAnalytics,
  useCommunityHeatmap,
  useHeatmapSettings,
  useUpdateHeatmapSettings,
  useUserHeatmap,
  useViewerTimeZone,
} from '../state/queries/analytics';
import { isStatus } from '../state/session';

function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="cm-stat" data-testid={testId}>
      <span className="cm-stat-label">{label}</span>
      <strong className="cm-stat-value">{value}</strong>
      {hint && <span className="cm-stat-hint">{hint}</span>}
    </div>
  );
}

/** Downloads the series as CSV through the API client, so a Bearer-token session works as well as a cookie. */
function CsvExport({ community, query }: { community: string; query: Parameters<typeof api.analytics.communityAnalytics>[0]['query'] }) {
  const { t } = useTranslation();
  const [failed, setFailed] = useState(false);
  const input = { params: { id: community }, query };
  const file = `${community}-insights-${query?.period ?? 'day'}-${query?.from ?? ''}-${query?.to ?? ''}.csv`;
  return (
    <>
      <a
        className="cm-button cm-button--ghost cm-button--sm"
        href={api.url(endpoints.analytics.exportCommunityAnalytics, input)}
        download={file}
        onClick={(e) => {
          e.preventDefault();
          setFailed(false);
          api.analytics
            .exportCommunityAnalytics(input)
            .then((blob) => {
              const url = URL.createObjectURL(blob as Blob);
              const a = document.createElement('a');
              a.href = url;
              a.download = file;
              a.click();
              setTimeout(() => URL.revokeObjectURL(url), 10_000);
            })
            .catch(() => setFailed(true));
        }}
      >
        ⤓ {t('insights.export_csv')}
      </a>
      {failed && (
        <span role="alert" className="cm-danger cm-small">
          {t('insights.export_failed')}
        </span>
      )}
    </>
  );
}

function InsightsBody({ a, period }: { a: CommunityAnalytics; period: AnalyticsPeriod }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const nf = new Intl.NumberFormat(lang);
  const pct = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 });
  const series = (f: 'active_members' | 'messages' | 'new_members' | 'posts'): ChartPoint[] =>
    a.series.map((p) => ({ label: bucketLabel(p.start, period, lang), value: p[f] }));
  const hours: ChartPoint[] = a.busiest_hours.map((value, h) => ({
    label: new Intl.DateTimeFormat(lang, { hour: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(2023, 0, 1, h))),
    value,
  }));
  const rate = (r: CommunityAnalytics['retention']['d7']) => (r.rate === null ? '–' : pct.format(r.rate));
  return (
    <>
      <div className="cm-stats">
        <Stat
          testId="stat-active"
          label={t('insights.active_members')}
          value={nf.format(a.totals.active_members)}
          hint={t('insights.actives_hint', { d1: a.actives.d1, d7: a.actives.d7, d30: a.actives.d30 })}
        />
        <Stat
          testId="stat-messages"
          label={t('insights.messages')}
          value={nf.format(a.totals.messages)}
          hint={t('insights.posts_hint', { count: a.totals.posts })}
        />
        <Stat
          testId="stat-new-members"
          label={t('insights.new_members')}
          value={nf.format(a.totals.new_members)}
          hint={t('insights.left_hint', { count: a.totals.left_members })}
        />
        <Stat
          testId="stat-retention"
          label={t('insights.retention_7')}
          value={rate(a.retention.d7)}
          hint={t('insights.retention_hint', { retained: a.retention.d7.retained, cohort: a.retention.d7.cohort })}
        />
      </div>
      <div className="cm-chart-grid-2">
        <SeriesChart
          testId="chart-active"
          title={t('insights.active_members')}
          kind="line"
          points={series('active_members')}
          unit={(n) => t('insights.members_n', { count: n })}
        />
        <SeriesChart
          testId="chart-messages"
          title={t('insights.messages')}
          kind="bar"
          points={series('messages')}
          unit={(n) => t('insights.messages_n', { count: n })}
        />
        <SeriesChart
          testId="chart-new-members"
          title={t('insights.new_members')}
          kind="bar"
          points={series('new_members')}
          unit={(n) => t('insights.members_n', { count: n })}
        />
        <section className="cm-chart">
          <h3 className="cm-chart-title">{t('insights.retention')}</h3>
          <RankBars
            label={t('insights.retention')}
            items={(['d7', 'd30'] as const).map((k) => ({
              key: k,
              name: t(`insights.retention_${k === 'd7' ? '7' : '30'}`),
              value: a.retention[k].rate ?? 0,
              text: `${rate(a.retention[k])} · ${t('insights.retention_hint', { retained: a.retention[k].retained, cohort: a.retention[k].cohort })}`,
            }))}
          />
          <p className="cm-muted cm-small">{t('insights.retention_help')}</p>
        </section>
      </div>
      <div className="cm-chart-grid-2">
        <section className="cm-chart">
          <h3 className="cm-chart-title">{t('insights.top_contributors')}</h3>
          {a.top_contributors.length === 0 ? (
            <p className="cm-muted">{t('insights.nobody_yet')}</p>
          ) : (
            <ol className="cm-top-contrib" data-testid="top-contributors">
              {a.top_contributors.map((c) => (
                <li key={c.user.id}>
                  <Avatar name={c.user.name} url={c.user.avatar_url} size={28} />
                  <ProfileName user={c.user} communityId={a.community_id} />
                  <span className="cm-spacer" />
                  <span className="cm-small cm-muted">{t('insights.actions_n', { count: c.count })}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
        <section className="cm-chart">
          <h3 className="cm-chart-title">{t('insights.busiest_channels')}</h3>
          {a.busiest_channels.length === 0 ? (
            <p className="cm-muted">{t('insights.no_channel_messages')}</p>
          ) : (
            <RankBars
              label={t('insights.busiest_channels')}
              items={a.busiest_channels.map((c) => ({
                key: c.channel.id,
                name: `#${c.channel.name}`,
                value: c.messages,
                text: t('insights.messages_n', { count: c.messages }),
              }))}
            />
          )}
        </section>
      </div>
      <SeriesChart
        testId="chart-hours"
        title={t('insights.busiest_hours', { zone: a.timezone })}
        kind="bar"
        points={hours}
        unit={(n) => t('heatmap.count', { count: n })}
      />
    </>
  );
}

/** The Insights tab of a community home (owners, moderators, analytics roles, site admins). */
export function InsightsTab({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const tz = useViewerTimeZone();
  const [period, setPeriod] = useState<AnalyticsPeriod>('day');
  const today = todayIn(tz ?? 'UTC');
  const range = insightsRange(period, today);
  const query = { period, ...range, ...(tz ? { tz } : {}) };
  const analytics = useCommunityAnalytics(slug, { period, ...range });
  return (
    <div className="cm-insights">
      <section className="cm-card" aria-labelledby="cm-insights-title">
        <header className="cm-insights-head">
          <h2 id="cm-insights-title">{t('insights.title')}</h2>
          <span className="cm-spacer" />
          <div className="cm-segmented" role="group" aria-label={t('insights.period')}>
            {ANALYTICS_PERIODS.map((p) => (
              <button key={p} type="button" className="cm-seg" aria-pressed={p === period} onClick={() => setPeriod(p)}>
                {t(`insights.period_${p}`)}
              </button>
            ))}
          </div>
          <CsvExport community={slug} query={query} />
        </header>
        <p className="cm-muted cm-small">
          {t('insights.range', { from: range.from, to: range.to, zone: analytics.data?.timezone ?? tz ?? '' })}
        </p>
        {analytics.isError ? (
          <ErrorNote error={analytics.error} notFound={t('community.not_found')} forbidden={t('insights.forbidden')} />
        ) : analytics.data ? (
          <div className={analytics.isPlaceholderData ? 'cm-insights-body cm-stale' : 'cm-insights-body'}>
            <InsightsBody a={analytics.data} period={analytics.data.period} />
          </div>
        ) : (
          <p>{t('app.loading')}</p>
        )}
      </section>
      <CommunityActivity slug={slug} />
    </div>
  );
}

/** Which activity a calendar shows: all of it, or one kind (`kinds=` on the heatmap routes). */
function KindPicker({
  value,
  onChange,
  withDms,
}: {
  value: ActivityKind | 'all';
  onChange: (k: ActivityKind | 'all') => void;
  withDms: boolean;
}) {
  const { t } = useTranslation();
  return (
    <label className="cm-heat-kinds">
      {t('heatmap.kinds_label')}{' '}
      <select value={value} onChange={(e) => onChange(e.target.value as ActivityKind | 'all')}>
        <option value="all">{t('heatmap.kind_all')}</option>
        {ACTIVITY_KINDS.filter((k) => withDms || k !== 'dm').map((k) => (
          <option key={k} value={k}>
            {t(`heatmap.kind.${k}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The community's year calendar and day-by-hour grid; renders nothing for viewers it is not shown to. */
export function CommunityActivity({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<ActivityKind | 'all'>('all');
  const heatmap = useCommunityHeatmap(slug, true, kind === 'all' ? null : [kind]);
  if (!heatmap.data) return null;
  return (
    <section className="cm-card cm-heat-card" aria-labelledby="cm-community-activity" data-testid="community-activity">
      <h2 id="cm-community-activity">{t('heatmap.community_title')}</h2>
      <KindPicker value={kind} onChange={setKind} withDms={false} />
      <ActivityCalendar heatmap={heatmap.data} label={t('heatmap.calendar_label')} testId="community-calendar" />
      <HourGrid heatmap={heatmap.data} label={t('heatmap.grid_label')} testId="community-grid" />
    </section>
  );
}

/** "Show my activity to fellow members" on your own profile (owners, moderators and admins always see it). */
function ShowActivityToggle() {
  const { t } = useTranslation();
  const settings = useHeatmapSettings(true);
  const save = useUpdateHeatmapSettings();
  if (!settings.data) return null;
  return (
    <label className="cm-check">
      <SavedCheckbox
        checked={settings.data.show_activity}
        revision={save.status}
        disabled={save.isPending}
        onChecked={(on) => save.mutate(on)}
      />
      {t('heatmap.show_mine')}
      {save.isError && (
        <span role="alert" className="cm-danger">
          {' '}
          {t('app.error')}
        </span>
      )}
    </label>
  );
}

/**
 * A member's calendar and day-by-hour grid on their profile (one community's slice with
 * `communityId`). The server decides who may see it; others get a line saying it is private.
 */
export function MemberActivity({ userId, communityId, isMe }: { userId: number; communityId: number | null; isMe: boolean }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<ActivityKind | 'all'>('all');
  const heatmap = useUserHeatmap(userId, communityId, kind === 'all' ? null : [kind]);
  return (
    <section className="cm-card cm-heat-card" aria-labelledby="cm-member-activity" data-testid="member-activity">
      <h2 id="cm-member-activity">{t('heatmap.member_title')}</h2>
      <KindPicker value={kind} onChange={setKind} withDms={isMe} />
      {heatmap.isError ? (
        <p className="cm-muted">{isStatus(heatmap.error, 404) || isStatus(heatmap.error, 403) ? t('heatmap.private') : t('app.error')}</p>
      ) : heatmap.data ? (
        <>
          <ActivityCalendar heatmap={heatmap.data} label={t('heatmap.calendar_label')} testId="member-calendar" />
          <HourGrid heatmap={heatmap.data} label={t('heatmap.grid_label')} testId="member-grid" />
        </>
      ) : (
        <p>{t('app.loading')}</p>
      )}
      {isMe && <ShowActivityToggle />}
    </section>
  );
}
