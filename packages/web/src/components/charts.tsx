import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Small plain-SVG charts for Insights (no chart library: a few dozen bars or points do not need
 * one). Each draws to a responsive viewBox, shows the exact value of the bar or point under the
 * pointer or keyboard focus, and carries a visually hidden table with every value.
 */

export interface ChartPoint {
  /** Shown under the chart and in the table, e.g. "Mar 4". */
  label: string;
  value: number;
}

const H = 180;
const PAD = { left: 36, right: 8, top: 12, bottom: 24 };

/** The box's width in CSS pixels, so a chart draws at 1:1 and its text keeps its size in any column. */
function useWidth(fallback: number) {
  const ref = useRef<HTMLElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.max(200, Math.round(entry.contentRect.width)));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width] as const;
}

/** A round top for the y axis: 1, 2 or 5 times a power of ten, at least the data's max. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max) ?? 10 * p;
}

export function SeriesChart({
  title,
  points,
  kind,
  unit,
  testId,
}: {
  title: string;
  points: ChartPoint[];
  kind: 'bar' | 'line';
  /** How a value reads in tooltips and the table, e.g. "{{count}} messages". */
  unit: (n: number) => string;
  testId?: string;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [hover, setHover] = useState<number | null>(null);
  const [box, W] = useWidth(560);
  const top = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const n = Math.max(points.length, 1);
  const slot = plotW / n;
  const x = (i: number) => PAD.left + slot * i + slot / 2;
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  // About one axis label per 80 px.
  const labelEvery = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(plotW / 80))));
  // Counts are whole: a half-way gridline only where it is a whole number too.
  const ticks = top % 2 === 0 ? [0, 0.5, 1] : [0, 1];
  const total = points.reduce((s, p) => s + p.value, 0);
  const max = unit(Math.max(0, ...points.map((p) => p.value)));
  const summary =
    kind === 'bar'
      ? t('insights.chart_summary_bar', { title, total: unit(total), max, count: points.length })
      : t('insights.chart_summary_line', { title, max, count: points.length });
  const shown = hover !== null ? points[hover] : null;

  return (
    <figure className="cm-chart" data-testid={testId} ref={box}>
      <figcaption className="cm-chart-title" id={id}>
        <span>{title}</span>
        <span className="cm-chart-value" aria-live="polite">
          {shown ? `${shown.label}: ${unit(shown.value)}` : kind === 'bar' ? unit(total) : null}
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className="cm-chart-svg"
        role="img"
        aria-label={summary}
        tabIndex={0}
        onKeyDown={(e) => {
          if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Home' && e.key !== 'End') return;
          e.preventDefault();
          const last = points.length - 1;
          setHover((h) =>
            e.key === 'Home'
              ? 0
              : e.key === 'End'
                ? last
                : Math.min(last, Math.max(0, (h ?? (e.key === 'ArrowLeft' ? last + 1 : -1)) + (e.key === 'ArrowLeft' ? -1 : 1))),
          );
        }}
        onBlur={() => setHover(null)}
        onMouseLeave={() => setHover(null)}
      >
        {ticks.map((f) => (
          <g key={f} aria-hidden="true">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(top * f)} y2={y(top * f)} className="cm-chart-grid" />
            <text x={PAD.left - 6} y={y(top * f) + 4} className="cm-chart-axis" textAnchor="end">
              {top * f}
            </text>
          </g>
        ))}
        {points.map((p, i) =>
          i % labelEvery === 0 ? (
            <text key={`l${i}`} x={x(i)} y={H - 6} className="cm-chart-axis" textAnchor="middle" aria-hidden="true">
              {p.label}
            </text>
          ) : null,
        )}
        {kind === 'line' && points.length > 0 && (
          <polyline
            className="cm-chart-line"
            points={points.map((p, i) => `${x(i)},${y(p.value)}`).join(' ')}
            fill="none"
            aria-hidden="true"
          />
        )}
        {points.map((p, i) => (
          <g key={i} onMouseEnter={() => setHover(i)} aria-hidden="true">
            {/* A full-height hit area per slot, so thin bars and points are easy to point at. */}
            <rect x={PAD.left + slot * i} y={PAD.top} width={slot} height={plotH} className="cm-chart-hit" />
            {kind === 'bar' ? (
              <rect
                x={x(i) - Math.max(1, slot * 0.35)}
                y={y(p.value)}
                width={Math.max(2, slot * 0.7)}
                height={Math.max(0, PAD.top + plotH - y(p.value))}
                rx={2}
                className={`cm-chart-bar${hover === i ? ' cm-chart-bar--on' : ''}`}
              />
            ) : (
              <circle cx={x(i)} cy={y(p.value)} r={hover === i ? 5 : 3} className="cm-chart-dot" />
            )}
          </g>
        ))}
      </svg>
      <div className="cm-visually-hidden">
        <table>
          <caption>{title}</caption>
          <tbody>
            {points.map((p, i) => (
              <tr key={i}>
                <th scope="row">{p.label}</th>
                <td>{unit(p.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

/** Horizontal bars for ranked lists (busiest channels), values as text beside each bar. */
export function RankBars({
  items,
  label,
}: {
  items: Array<{ key: string | number; name: string; value: number; text: string }>;
  label: string;
}) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return (
    <ol className="cm-rank-bars" aria-label={label}>
      {items.map((i) => (
        <li key={i.key}>
          <span className="cm-rank-name">{i.name}</span>
          <span className="cm-rank-track" aria-hidden="true">
            <span className="cm-rank-fill" style={{ width: `${(i.value / max) * 100}%` }} />
          </span>
          <span className="cm-rank-value">{i.text}</span>
        </li>
      ))}
    </ol>
  );
}
