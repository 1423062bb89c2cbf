import { calendarLayout, hourGridLayout, hourLabel, longDay, monthName, weekdayNames } from '@communities/client';
import type { Heatmap } from '@communities/contract';
import { textDirection } from '@communities/contract/i18n';
import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Activity heatmaps in plain SVG: a GitHub-style calendar of the last 365 days and a 7×24
 * day-by-hour grid. Both are keyboard grids (one tab stop, arrow keys move, Home/End jump) with a
 * tooltip giving the exact count, a legend, and a visually hidden table for screen readers.
 * Right to left (Arabic), time runs leftwards: the oldest week and the first hour sit at the
 * right, weekday names too; x is counted from the right edge, so the text itself is not mirrored.
 */

const CELL = 11;
const GAP = 3;
const STEP = CELL + GAP;

interface Tip {
  text: string;
  x: number;
  y: number;
  /** Which edge of the tooltip sits at x: near the figure's edges it grows inwards. */
  align: 'start' | 'middle' | 'end';
}

/**
 * Arrow-key movement over a rows×cols grid; null cells are skipped over. Left and right are what
 * the eye sees: in a right-to-left grid the left arrow goes to the next column.
 */
function useGridFocus(rows: number, cols: number, present: (r: number, c: number) => boolean, start: [number, number], rtl: boolean) {
  const [focus, setFocus] = useState<[number, number]>(start);
  const refs = useRef(new Map<string, SVGRectElement>());
  const move = (e: KeyboardEvent, r: number, c: number) => {
    const step: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, rtl ? 1 : -1],
      ArrowRight: [0, rtl ? -1 : 1],
    };
    let next: [number, number] | null = null;
    if (e.key in step) {
      const [dr, dc] = step[e.key]!;
      let [nr, nc] = [r + dr, c + dc];
      while (nr >= 0 && nr < rows && nc >= 0 && nc < cols && !present(nr, nc)) [nr, nc] = [nr + dr, nc + dc];
      if (nr >= 0 && nr < rows && nc >= 0 && nc < cols) next = [nr, nc];
    } else if (e.key === 'Home' || e.key === 'End') {
      const cs = Array.from({ length: cols }, (_, i) => (e.key === 'Home' ? i : cols - 1 - i));
      const found = cs.find((cc) => present(r, cc));
      if (found !== undefined) next = [r, found];
    } else return;
    e.preventDefault();
    if (!next) return;
    setFocus(next);
    refs.current.get(next.join(':'))?.focus();
  };
  const cellProps = (r: number, c: number) => ({
    ref: (el: SVGRectElement | null) => {
      if (el) refs.current.set(`${r}:${c}`, el);
      else refs.current.delete(`${r}:${c}`);
    },
    tabIndex: focus[0] === r && focus[1] === c ? 0 : -1,
    onKeyDown: (e: KeyboardEvent) => move(e, r, c),
    onFocus: () => setFocus([r, c]),
  });
  return cellProps;
}

/**
 * The tooltip sits above the cell, placed in the figure rather than the scrolling box (which
 * would clip it); the SVG may be scaled or scrolled, so the cell's box on screen decides.
 */
function tipAt(wrapper: HTMLElement | null, cell: Element, text: string): Tip | null {
  const figure = wrapper?.closest('figure');
  if (!figure) return null;
  const f = figure.getBoundingClientRect();
  const c = cell.getBoundingClientRect();
  const x = c.left - f.left + c.width / 2;
  const align = x < f.width * 0.3 ? 'start' : x > f.width * 0.7 ? 'end' : 'middle';
  return { text, x, y: c.top - f.top, align };
}

function TipBox({ tip }: { tip: Tip }) {
  return (
    <div className={`cm-heat-tip cm-heat-tip--${tip.align}`} role="tooltip" style={{ left: tip.x, top: tip.y }}>
      {tip.text}
    </div>
  );
}

export function Legend({ className = '' }: { className?: string }) {
  const { t } = useTranslation();
  return (
    <div className={`cm-heat-legend ${className}`} aria-hidden="true">
      <span>{t('heatmap.less')}</span>
      {[0, 1, 2, 3, 4].map((l) => (
        <span key={l} className={`cm-heat-swatch cm-heat-l${l}`} />
      ))}
      <span>{t('heatmap.more')}</span>
    </div>
  );
}

/** Where a column starting at `x` (from the left, in a left-to-right drawing `width` wide) goes. */
const mirror = (rtl: boolean, width: number, x: number, size: number) => (rtl ? width - x - size : x);

/** A heatmap answer's days (a year ending today, in the viewer's zone) in Monday-first week columns. */
export function ActivityCalendar({ heatmap, label, testId }: { heatmap: Heatmap; label: string; testId?: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const rtl = textDirection(lang) === 'rtl';
  const layout = useMemo(() => calendarLayout(heatmap), [heatmap]);
  const names = useMemo(() => weekdayNames(lang, 'short'), [lang]);
  const wrapper = useRef<HTMLDivElement>(null);
  const [tip, setTip] = useState<Tip | null>(null);
  const captionId = useId();
  const cols = layout.weeks.length;
  const lastCol = layout.weeks[cols - 1]!;
  const lastRow = lastCol.findLastIndex((cell) => cell !== null);
  const cellProps = useGridFocus(7, cols, (r, c) => layout.weeks[c]?.[r] != null, [lastRow, cols - 1], rtl);
  const left = 2;
  const top = 16;
  const width = left + cols * STEP;
  const height = top + 7 * STEP;
  const describe = (date: string, count: number) => `${t('heatmap.count', { count })} · ${longDay(date, lang)}`;

  return (
    <figure className="cm-heat" data-testid={testId}>
      <figcaption id={captionId} className="cm-heat-caption">
        <span>{label}</span>
        <span className="cm-muted cm-small">{t('heatmap.year_total', { count: layout.total })}</span>
      </figcaption>
      <div className="cm-heat-cal">
        {/* Weekday names stay put while the weeks scroll on a narrow screen. */}
        <svg className="cm-heat-days" width={30} height={height} aria-hidden="true">
          {[0, 2, 4].map((d) => (
            // Set at the inline start: the left edge, or the right one in Arabic (the flex row puts this box on the right).
            <text key={d} x={rtl ? 30 : 0} y={top + d * STEP + CELL - 2} className="cm-heat-label">
              {names[d]}
            </text>
          ))}
        </svg>
        <div
          className="cm-heat-scroll"
          ref={(el) => {
            wrapper.current = el;
            // The newest weeks are what people look for first on a narrow screen: at the right end,
            // or the left one right to left (where Chromium counts scrollLeft down from 0).
            if (el && el.scrollLeft === 0) el.scrollLeft = rtl ? -el.scrollWidth : el.scrollWidth;
          }}
          onMouseLeave={() => setTip(null)}
        >
          <svg
            className="cm-heat-svg"
            width={width}
            height={height}
            viewBox={`0 0 ${width} ${height}`}
            role="grid"
            aria-labelledby={captionId}
            aria-describedby={`${captionId}-help`}
          >
            {layout.months.map((m) => (
              <text
                key={`${m.year}-${m.month}`}
                x={mirror(rtl, width, left + m.week * STEP, 0)}
                y={10}
                className="cm-heat-label"
                aria-hidden="true"
              >
                {monthName(lang, m.month)}
              </text>
            ))}
            {Array.from({ length: 7 }, (_, r) => (
              <g key={r} role="row">
                {layout.weeks.map((week, c) => {
                  const cell = week[r];
                  if (!cell) return null;
                  const text = describe(cell.date, cell.count);
                  return (
                    <rect
                      key={cell.date}
                      {...cellProps(r, c)}
                      role="gridcell"
                      aria-label={text}
                      data-date={cell.date}
                      data-count={cell.count}
                      className={`cm-heat-cell cm-heat-l${cell.level}`}
                      x={mirror(rtl, width, left + c * STEP, CELL)}
                      y={top + r * STEP}
                      width={CELL}
                      height={CELL}
                      rx={2}
                      onMouseEnter={(e) => setTip(tipAt(wrapper.current, e.currentTarget, text))}
                      onFocus={(e) => {
                        cellProps(r, c).onFocus();
                        setTip(tipAt(wrapper.current, e.currentTarget, text));
                      }}
                      onBlur={() => setTip(null)}
                    />
                  );
                })}
              </g>
            ))}
          </svg>
        </div>
      </div>
      {tip && <TipBox tip={tip} />}
      <div className="cm-heat-foot">
        <span id={`${captionId}-help`} className="cm-muted cm-small">
          {t('heatmap.keys_help')}
        </span>
        <Legend />
      </div>
      {/* A table ignores a 1px width: the wrapper hides it. */}
      <div className="cm-visually-hidden">
        <table>
          <caption>{t('heatmap.table_caption', { label, count: layout.activeDays })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('heatmap.day')}</th>
              <th scope="col">{t('heatmap.activity')}</th>
            </tr>
          </thead>
          <tbody>
            {layout.weeks
              .flat()
              .filter((c) => c !== null && c.count > 0)
              .map((c) => (
                <tr key={c!.date}>
                  <th scope="row">{longDay(c!.date, lang)}</th>
                  <td>{c!.count}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

/** Activity by weekday and hour of day in the heatmap's timezone; rows Monday to Sunday. */
export function HourGrid({ heatmap, label, testId }: { heatmap: Heatmap; label: string; testId?: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const rtl = textDirection(lang) === 'rtl';
  const timeZone = heatmap.timezone;
  const layout = useMemo(() => hourGridLayout(heatmap.grid), [heatmap.grid]);
  const names = useMemo(() => weekdayNames(lang, 'short'), [lang]);
  const longNames = useMemo(() => weekdayNames(lang, 'long'), [lang]);
  const wrapper = useRef<HTMLDivElement>(null);
  const [tip, setTip] = useState<Tip | null>(null);
  const captionId = useId();
  const start: [number, number] = layout.peak ? [layout.peak.weekday, layout.peak.hour] : [0, 0];
  const cellProps = useGridFocus(7, 24, () => true, start, rtl);
  const cell = 18;
  const step = cell + GAP;
  const left = 40;
  const top = 16;
  const width = left + 24 * step;
  const height = top + 7 * step;
  const describe = (weekday: number, hour: number, count: number) =>
    `${t('heatmap.count', { count })} · ${longNames[weekday]} ${hourLabel(hour, lang)}–${hourLabel((hour + 1) % 24, lang)}`;

  return (
    <figure className="cm-heat" data-testid={testId}>
      <figcaption id={captionId} className="cm-heat-caption">
        <span>{label}</span>
        {layout.peak && (
          <span className="cm-muted cm-small">
            {t('heatmap.peak', { day: longNames[layout.peak.weekday], hour: hourLabel(layout.peak.hour, lang) })}
          </span>
        )}
      </figcaption>
      <div className="cm-heat-fit" ref={wrapper} onMouseLeave={() => setTip(null)}>
        <svg className="cm-heat-svg cm-heat-svg--fit" viewBox={`0 0 ${width} ${height}`} role="grid" aria-labelledby={captionId}>
          {[0, 6, 12, 18].map((h) => (
            <text key={h} x={mirror(rtl, width, left + h * step, 0)} y={10} className="cm-heat-label" aria-hidden="true">
              {hourLabel(h, lang)}
            </text>
          ))}
          {layout.rows.map((row, r) => (
            <g key={r} role="row">
              <text x={rtl ? width : 0} y={top + r * step + cell - 5} className="cm-heat-label" aria-hidden="true">
                {names[r]}
              </text>
              {row.map((count, h) => {
                const text = describe(r, h, count);
                return (
                  <rect
                    key={h}
                    {...cellProps(r, h)}
                    role="gridcell"
                    aria-label={text}
                    data-weekday={r}
                    data-hour={h}
                    data-count={count}
                    className={`cm-heat-cell cm-heat-l${layout.levels[r]![h]}`}
                    x={mirror(rtl, width, left + h * step, cell)}
                    y={top + r * step}
                    width={cell}
                    height={cell}
                    rx={3}
                    onMouseEnter={(e) => setTip(tipAt(wrapper.current, e.currentTarget, text))}
                    onFocus={(e) => {
                      cellProps(r, h).onFocus();
                      setTip(tipAt(wrapper.current, e.currentTarget, text));
                    }}
                    onBlur={() => setTip(null)}
                  />
                );
              })}
            </g>
          ))}
        </svg>
      </div>
      {tip && <TipBox tip={tip} />}
      <div className="cm-heat-foot">
        <span className="cm-muted cm-small">{t('heatmap.timezone_note', { zone: timeZone })}</span>
        <Legend />
      </div>
      {/* A table ignores a 1px width: the wrapper hides it. */}
      <div className="cm-visually-hidden">
        <table>
          <caption>{label}</caption>
          <thead>
            <tr>
              <th scope="col">{t('heatmap.day')}</th>
              {Array.from({ length: 24 }, (_, h) => (
                <th key={h} scope="col">
                  {hourLabel(h, lang)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {layout.rows.map((row, r) => (
              <tr key={r}>
                <th scope="row">{longNames[r]}</th>
                {row.map((n, h) => (
                  <td key={h}>{n}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
