import { bucketLabel, hourLabel, longDay } from '@communities/client';
import { ANALYTICS_PERIODS, type AnalyticsPeriod, type CommunityAnalytics } from '@communities/contract';
import { useTranslation } from 'react-i18next';
import { Text, View } from 'react-native';
import Svg, { Rect } from 'react-native-svg';

import { Avatar } from '../../components/avatar';
import { Chips } from '../../components/chips';
import { useStyles } from '../../components/use-styles';
import { count } from '../../lib/format';
import type { CommunitiesTheme } from '../../config';

const make = (t: CommunitiesTheme) => ({
  box: { padding: 16, gap: 12 },
  stats: { flexDirection: 'row' as const, flexWrap: 'wrap' as const, gap: 8 },
  stat: {
    flexGrow: 1,
    flexBasis: '45%' as const,
    borderWidth: 1,
    borderColor: t.border,
    borderRadius: 10,
    padding: 10,
    backgroundColor: t.surface,
  },
  statLabel: { fontSize: 12, color: t.muted },
  statValue: { fontSize: 22, fontWeight: '700' as const, color: t.text },
  h: { fontSize: 15, fontWeight: '700' as const, color: t.text },
  small: { fontSize: 12, color: t.muted },
  row: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 8, paddingVertical: 4 },
  name: { flex: 1, fontSize: 14, color: t.text },
  value: { fontSize: 13, color: t.muted },
  track: { flex: 1, height: 8, borderRadius: 4, backgroundColor: t.border, overflow: 'hidden' as const },
  fill: { height: 8, backgroundColor: t.primary },
});

function Stat({ label, value, hint, testID }: { label: string; value: string; hint: string; testID: string }) {
  const s = useStyles(make);
  return (
    <View style={s.stat} testID={testID} accessible accessibilityLabel={`${label}: ${value}. ${hint}`}>
      <Text style={s.statLabel}>{label}</Text>
      <Text style={s.statValue}>{value}</Text>
      <Text style={s.statLabel}>{hint}</Text>
    </View>
  );
}

/** A small bar chart; the numbers themselves are in its accessibility label. */
function Bars({ title, values, labels, testID }: { title: string; values: number[]; labels: string[]; testID: string }) {
  const s = useStyles(make);
  const { t, i18n } = useTranslation();
  const max = Math.max(1, ...values);
  const w = 320;
  const h = 90;
  const slot = w / Math.max(1, values.length);
  return (
    <View
      testID={testID}
      accessible
      accessibilityLabel={`${title}: ${values.map((v, i) => `${labels[i]} ${count(v, i18n.language)}`).join(', ')}`}
    >
      <Text style={s.h}>{title}</Text>
      <Svg width="100%" height={h} viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none">
        {values.map((v, i) => (
          <Rect
            key={i}
            x={i * slot + slot * 0.15}
            y={h - (v / max) * h}
            width={Math.max(1, slot * 0.7)}
            height={(v / max) * h}
            fill="#5b5bd6"
          />
        ))}
      </Svg>
      <View style={{ flexDirection: 'row', justifyContent: 'space-between' }}>
        <Text style={s.small}>{labels[0] ?? ''}</Text>
        <Text style={s.small}>{t('insights.max', { count: Math.max(0, ...values) })}</Text>
        <Text style={s.small}>{labels.at(-1) ?? ''}</Text>
      </View>
    </View>
  );
}

/** A community's insights: totals, series, retention, top contributors and busiest channels. */
export function InsightsView({
  a,
  period,
  onPeriod,
}: {
  a: CommunityAnalytics;
  period: AnalyticsPeriod;
  onPeriod: (p: AnalyticsPeriod) => void;
}) {
  const { t, i18n } = useTranslation();
  const s = useStyles(make);
  const lang = i18n.language;
  const pct = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 });
  const rate = (r: CommunityAnalytics['retention']['d7']) => (r.rate === null ? '–' : pct.format(r.rate));
  const labels = a.series.map((p) => bucketLabel(p.start, a.period, lang));
  return (
    <View style={s.box}>
      <Chips
        role="radio"
        items={ANALYTICS_PERIODS.map((p) => ({ key: p, label: t(`insights.period_${p}`) }))}
        value={period}
        onChange={onPeriod}
      />
      <Text style={s.small}>
        {t('insights.range', { from: longDay(a.from, lang, 'medium'), to: longDay(a.to, lang, 'medium'), zone: a.timezone })}
      </Text>
      <View style={s.stats}>
        <Stat
          testID="stat-active"
          label={t('insights.active_members')}
          value={count(a.totals.active_members, lang)}
          hint={t('insights.actives_hint', { d1: a.actives.d1, d7: a.actives.d7, d30: a.actives.d30 })}
        />
        <Stat
          testID="stat-messages"
          label={t('insights.messages')}
          value={count(a.totals.messages, lang)}
          hint={t('insights.posts_hint', { count: a.totals.posts })}
        />
        <Stat
          testID="stat-new-members"
          label={t('insights.new_members')}
          value={count(a.totals.new_members, lang)}
          hint={t('insights.left_hint', { count: a.totals.left_members })}
        />
        <Stat
          testID="stat-retention"
          label={t('insights.retention_7')}
          value={rate(a.retention.d7)}
          hint={t('insights.retention_hint', { retained: a.retention.d7.retained, cohort: a.retention.d7.cohort })}
        />
      </View>
      <Bars testID="chart-active" title={t('insights.active_members')} values={a.series.map((p) => p.active_members)} labels={labels} />
      <Bars testID="chart-messages" title={t('insights.messages')} values={a.series.map((p) => p.messages)} labels={labels} />
      <Bars testID="chart-new-members" title={t('insights.new_members')} values={a.series.map((p) => p.new_members)} labels={labels} />
      <Text style={s.h}>{t('insights.retention')}</Text>
      {(['d7', 'd30'] as const).map((k) => (
        <View
          key={k}
          style={s.row}
          accessible
          accessibilityLabel={`${t(`insights.retention_${k === 'd7' ? '7' : '30'}`)}: ${rate(a.retention[k])}`}
        >
          <Text style={s.name}>{t(`insights.retention_${k === 'd7' ? '7' : '30'}`)}</Text>
          <View style={s.track}>
            <View style={[s.fill, { width: `${Math.round((a.retention[k].rate ?? 0) * 100)}%` }]} />
          </View>
          <Text style={s.value}>{rate(a.retention[k])}</Text>
        </View>
      ))}
      <Text style={s.h}>{t('insights.top_contributors')}</Text>
      {a.top_contributors.length === 0 ? (
        <Text style={s.small}>{t('insights.nobody_yet')}</Text>
      ) : (
        a.top_contributors.map((c) => (
          <View key={c.user.id} style={s.row} testID={`contributor-${c.user.id}`}>
            <Avatar name={c.user.name} size={28} />
            <Text style={s.name} numberOfLines={1}>
              {c.user.name}
            </Text>
            <Text style={s.value}>{t('insights.actions_n', { count: c.count })}</Text>
          </View>
        ))
      )}
      <Text style={s.h}>{t('insights.busiest_channels')}</Text>
      {a.busiest_channels.length === 0 ? (
        <Text style={s.small}>{t('insights.no_channel_messages')}</Text>
      ) : (
        a.busiest_channels.map((c) => (
          <View key={c.channel.id} style={s.row} testID={`busy-channel-${c.channel.id}`}>
            <Text style={s.name} numberOfLines={1}>{`#${c.channel.name}`}</Text>
            <Text style={s.value}>{t('insights.messages_n', { count: c.messages })}</Text>
          </View>
        ))
      )}
      <Bars
        testID="chart-hours"
        title={t('insights.busiest_hours', { zone: a.timezone })}
        values={a.busiest_hours}
        labels={a.busiest_hours.map((_, h) => hourLabel(h, lang))}
      />
    </View>
  );
}
