import { endpoints, type Endpoint, type EndpointInput } from '@communities/contract';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { api } from '../../api';
import { ErrorNote, errorText } from '../../components/error-note';
import { findAdminAnalytics, localDay, toAnalyticsView } from '../../lib/admin-analytics';
import { linkProps, WEB_BASE } from '../../lib/router';

/** The site-wide analytics endpoints of this build's contract, or null (then the section is not offered). */
export const ADMIN_ANALYTICS = findAdminAnalytics(endpoints);

const RANGES = [7, 30, 90] as const;
type Input = EndpointInput<Endpoint>;

/** The CSV as a file download (the request carries the same sign-in as every API call). */
async function downloadCsv(query: Record<string, string>): Promise<void> {
  const blob = (await api.call(ADMIN_ANALYTICS!.csv!, { query } as Input)) as Blob;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `communities-analytics-${query.from}-${query.to}.csv`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
const label = (key: string) => key.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/** Site-wide analytics: totals over a range, then every community's share, busiest first; CSV export. */
export function AdminAnalytics() {
  const { t, i18n } = useTranslation();
  const [days, setDays] = useState<(typeof RANGES)[number]>(30);
  const [csvError, setCsvError] = useState<unknown>(null);
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const now = new Date();
  const query = { from: localDay(now, days - 1), to: localDay(now, 0), tz };
  const answer = useQuery({
    queryKey: ['communities', 'admin', 'analytics', query],
    queryFn: ({ signal }) => api.call(ADMIN_ANALYTICS!.read, { query } as Input, { signal }),
    enabled: ADMIN_ANALYTICS !== null,
  });
  const n = new Intl.NumberFormat(i18n.language);
  const view = answer.data === undefined ? null : toAnalyticsView(answer.data);
  return (
    <>
      <header className="cm-admin-head">
        <h1>{t('admin.section_analytics')}</h1>
        <span className="cm-spacer" />
        <div className="cm-segmented" role="group" aria-label={t('admin.analytics_range')}>
          {RANGES.map((d) => (
            <button key={d} type="button" className="cm-seg" aria-pressed={d === days} onClick={() => setDays(d)}>
              {t('admin.analytics_days', { count: d })}
            </button>
          ))}
        </div>
        {ADMIN_ANALYTICS?.csv && (
          <button type="button" className="cm-button cm-button--ghost" onClick={() => downloadCsv(query).catch(setCsvError)}>
            ⬇ {t('admin.analytics_csv')}
          </button>
        )}
      </header>
      {csvError !== null && (
        <p role="alert" className="cm-danger">
          {errorText(t, csvError)}
        </p>
      )}
      {answer.isError ? (
        <ErrorNote
          error={answer.error}
          notFound={t('admin.not_found')}
          forbidden={t('errors.forbidden')}
          onRetry={() => void answer.refetch()}
        />
      ) : !view ? (
        <p>{t('app.loading')}</p>
      ) : (
        <>
          <dl className="cm-stats" aria-label={t('admin.analytics_totals')}>
            {view.totals.map(([k, v]) => (
              <div key={k} className="cm-stat">
                <dt>{t(`admin.metric.${k}`, { defaultValue: label(k) })}</dt>
                <dd>{n.format(v)}</dd>
              </div>
            ))}
          </dl>
          <section className="cm-card" aria-labelledby="cm-an-by">
            <h2 id="cm-an-by">{t('admin.analytics_by_community')}</h2>
            {view.rows.length === 0 ? (
              <p className="cm-muted">{t('admin.analytics_empty')}</p>
            ) : (
              <div className="cm-scroll-x">
                <table className="cm-admin-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('admin.col_community')}</th>
                      {view.columns.map((c) => (
                        <th key={c} scope="col">
                          {t(`admin.metric.${c}`, { defaultValue: label(c) })}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {view.rows.map((r) => (
                      <tr key={r.id}>
                        <td>
                          <a {...linkProps(`${WEB_BASE}/${r.slug}`)}>{r.name}</a>
                        </td>
                        {r.values.map((v, i) => (
                          <td
                            key={view.columns[i]}
                            className="cm-num"
                            data-label={t(`admin.metric.${view.columns[i]}`, { defaultValue: label(view.columns[i]!) })}
                          >
                            {n.format(v)}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </>
  );
}
