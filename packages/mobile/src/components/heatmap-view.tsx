import { calendarLayout, hourGridLayout, hourLabel, longDay, monthName, weekdayNames } from '@communities/client';
import type { Heatmap } from '@communities/contract';
import { textDirection } from '@communities/contract/i18n';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Pressable, ScrollView, Text, View } from 'react-native';
import Svg, { Rect, Text as SvgText } from 'react-native-svg';

import type { CommunitiesTheme } from '../config';
import { count as formatCount } from '../lib/format';

import { useStyles } from './use-styles';

/** The legend's five steps, from no activity to the busiest day or hour. */
export const HEAT_COLOURS = ['#ebedf3', '#c7c9f5', '#9797eb', '#6b6bdc', '#3f3fb0'] as const;

const make = (t: CommunitiesTheme) => ({
  box: { gap: 6, paddingVertical: 8 },
  title: { fontSize: 15, fontWeight: '700' as const, color: t.text },
  small: { fontSize: 12, color: t.muted },
  picked: { fontSize: 13, color: t.text, minHeight: 18 },
  foot: {
    flexDirection: 'row' as const,
    alignItems: 'center' as const,
    justifyContent: 'space-between' as const,
    flexWrap: 'wrap' as const,
    gap: 6,
  },
  legend: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 3 },
  swatch: { width: 11, height: 11, borderRadius: 2 },
  toggle: { fontSize: 13, color: t.primary, fontWeight: '600' as const, paddingVertical: 4 },
  row: { flexDirection: 'row' as const, justifyContent: 'space-between' as const, paddingVertical: 2 },
  rowText: { fontSize: 13, color: t.text },
});

function Legend() {
  const { t } = useTranslation();
  const s = useStyles(make);
  return (
    <View style={s.legend} accessible accessibilityLabel={t('heatmap.legend')}>
      <Text style={s.small}>{t('heatmap.less')}</Text>
      {HEAT_COLOURS.map((c) => (
        <View key={c} style={[s.swatch, { backgroundColor: c }]} />
      ))}
      <Text style={s.small}>{t('heatmap.more')}</Text>
    </View>
  );
}

const CELL = 11;
const STEP = 14;
const GRID_WIDTH = 30 + 24 * STEP;

/**
 * Where something drawn at `x` (from the left, in a left-to-right drawing `width` wide) goes: right
 * to left, time runs leftwards (the oldest week and the first hour at the right, weekday names
 * too). Coordinates are mirrored rather than the drawing, so the labels still read the right way.
 */
const place = (rtl: boolean, width: number, x: number, size = 0) => (rtl ? width - x - size : x);

/**
 * A heatmap answer drawn with react-native-svg: the year calendar (`calendar`) or the 7×24
 * day-by-hour grid (`grid`). Tapping a cell names its exact count below; a list of the same
 * numbers is one tap away for screen readers, which skip the drawing itself. Right to left in
 * a right-to-left language, as the screen around it.
 */
export function HeatmapView({ heatmap, variant, testID }: { heatmap: Heatmap; variant: 'calendar' | 'grid'; testID?: string }) {
  const { t, i18n } = useTranslation();
  const s = useStyles(make);
  const lang = i18n.language;
  const rtl = textDirection(lang) === 'rtl';
  // Labels grow from their inline start: leftwards from the right edge when right to left.
  const anchor = rtl ? 'end' : 'start';
  const [picked, setPicked] = useState<string | null>(null);
  const [asList, setAsList] = useState(false);
  const names = useMemo(() => weekdayNames(lang, 'short'), [lang]);
  const longNames = useMemo(() => weekdayNames(lang, 'long'), [lang]);
  const calendar = useMemo(() => (variant === 'calendar' ? calendarLayout(heatmap) : null), [heatmap, variant]);
  const grid = useMemo(() => (variant === 'grid' ? hourGridLayout(heatmap.grid) : null), [heatmap, variant]);
  const dayText = (date: string, count: number) => `${t('heatmap.count', { count })} · ${longDay(date, lang)}`;
  const hourText = (d: number, h: number, count: number) =>
    `${t('heatmap.count', { count })} · ${longNames[d]} ${hourLabel(h, lang)}–${hourLabel((h + 1) % 24, lang)}`;

  const calWidth = 24 + (calendar?.weeks.length ?? 0) * STEP;

  const title = variant === 'calendar' ? t('heatmap.calendar_label') : t('heatmap.grid_label');
  const summary = calendar
    ? t('heatmap.year_total', { count: calendar.total })
    : grid?.peak
      ? t('heatmap.peak', { day: longNames[grid.peak.weekday], hour: hourLabel(grid.peak.hour, lang) })
      : t('heatmap.year_total', { count: 0 });

  return (
    <View style={s.box} testID={testID}>
      <Text style={s.title} accessibilityRole="header">
        {title}
      </Text>
      <Text style={s.small}>{summary}</Text>
      {!asList && (
        <ScrollView
          horizontal
          showsHorizontalScrollIndicator={false}
          accessibilityElementsHidden
          importantForAccessibility="no-hide-descendants"
        >
          {calendar ? (
            <Svg width={calWidth} height={14 + 7 * STEP}>
              {calendar.months.map((m) => (
                <SvgText
                  key={`${m.year}-${m.month}`}
                  x={place(rtl, calWidth, 24 + m.week * STEP)}
                  y={10}
                  fontSize={9}
                  fill="#667085"
                  textAnchor={anchor}
                >
                  {monthName(lang, m.month)}
                </SvgText>
              ))}
              {[0, 2, 4].map((d) => (
                <SvgText key={d} x={place(rtl, calWidth, 0)} y={14 + d * STEP + CELL - 2} fontSize={9} fill="#667085" textAnchor={anchor}>
                  {names[d]}
                </SvgText>
              ))}
              {calendar.weeks.map((week, c) =>
                week.map((cell, r) =>
                  cell ? (
                    <Rect
                      key={cell.date}
                      testID={`day-${cell.date}`}
                      x={place(rtl, calWidth, 24 + c * STEP, CELL)}
                      y={14 + r * STEP}
                      width={CELL}
                      height={CELL}
                      rx={2}
                      fill={HEAT_COLOURS[cell.level]}
                      onPress={() => setPicked(dayText(cell.date, cell.count))}
                    />
                  ) : null,
                ),
              )}
            </Svg>
          ) : grid ? (
            <Svg width={GRID_WIDTH} height={14 + 7 * STEP}>
              {[0, 6, 12, 18].map((h) => (
                <SvgText key={h} x={place(rtl, GRID_WIDTH, 30 + h * STEP)} y={10} fontSize={9} fill="#667085" textAnchor={anchor}>
                  {hourLabel(h, lang)}
                </SvgText>
              ))}
              {grid.rows.map((row, d) => [
                <SvgText
                  key={`n${d}`}
                  testID={`weekday-${d}`}
                  x={place(rtl, GRID_WIDTH, 0)}
                  y={14 + d * STEP + CELL - 2}
                  fontSize={9}
                  fill="#667085"
                  textAnchor={anchor}
                >
                  {names[d]}
                </SvgText>,
                ...row.map((count, h) => (
                  <Rect
                    key={`${d}-${h}`}
                    testID={`hour-${d}-${h}`}
                    x={place(rtl, GRID_WIDTH, 30 + h * STEP, CELL)}
                    y={14 + d * STEP}
                    width={CELL}
                    height={CELL}
                    rx={2}
                    fill={HEAT_COLOURS[grid.levels[d]![h]!]}
                    onPress={() => setPicked(hourText(d, h, count))}
                  />
                )),
              ])}
            </Svg>
          ) : null}
        </ScrollView>
      )}
      {asList && (
        <View testID={`${testID ?? 'heatmap'}-list`}>
          {calendar &&
            calendar.weeks
              .flat()
              .filter((c) => c !== null && c.count > 0)
              .map((c) => (
                <View key={c!.date} style={s.row} accessible accessibilityLabel={dayText(c!.date, c!.count)}>
                  <Text style={s.rowText}>{longDay(c!.date, lang, 'medium')}</Text>
                  <Text style={s.rowText}>{formatCount(c!.count, lang)}</Text>
                </View>
              ))}
          {grid &&
            grid.rows.flatMap((row, d) =>
              row.flatMap((count, h) =>
                count > 0
                  ? [
                      <View key={`${d}-${h}`} style={s.row} accessible accessibilityLabel={hourText(d, h, count)}>
                        <Text style={s.rowText}>{`${longNames[d]} ${hourLabel(h, lang)}`}</Text>
                        <Text style={s.rowText}>{formatCount(count, lang)}</Text>
                      </View>,
                    ]
                  : [],
              ),
            )}
          {(calendar ? calendar.total : (grid?.total ?? 0)) === 0 && <Text style={s.small}>{t('heatmap.none')}</Text>}
        </View>
      )}
      <Text style={s.picked} accessibilityLiveRegion="polite" testID={`${testID ?? 'heatmap'}-picked`}>
        {picked ?? (asList ? '' : t('heatmap.tap_help'))}
      </Text>
      <View style={s.foot}>
        <Text style={s.small}>{t('heatmap.hours_timezone_note', { zone: heatmap.timezone })}</Text>
        <Legend />
      </View>
      <Pressable accessibilityRole="button" onPress={() => setAsList((v) => !v)} testID={`${testID ?? 'heatmap'}-toggle`}>
        <Text style={s.toggle}>{asList ? t('heatmap.show_chart') : t('heatmap.show_list')}</Text>
      </Pressable>
    </View>
  );
}
