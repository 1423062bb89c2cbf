import { ApiError } from '@communities/client';
import { FEATURE_NAMES } from '@communities/contract';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';

import { api, TOKEN_KEY } from './api';

export function App() {
  const { t } = useTranslation();
  const features = useQuery({ queryKey: ['features'], queryFn: () => api.system.features() });
  const me = useQuery({
    queryKey: ['me'],
    queryFn: () => api.system.me(),
    retry: (count, error) => !(error instanceof ApiError && error.status === 401) && count < 1,
  });
  const demo = useQuery({ queryKey: ['demo-users'], queryFn: () => api.system.demoUsers(), enabled: features.data?.demo === true });

  return (
    <div className="cm-app">
      <header className="cm-topbar">
        <span className="cm-brand" aria-hidden="true">
          ◆
        </span>
        <h1 className="cm-title">{t('app.name')}</h1>
        <span className="cm-spacer" />
        {me.data ? (
          <span className="cm-user" data-testid="signed-in">
            {t('auth.signed_in_as', { name: me.data.name })}
            <button
              className="cm-button cm-button--ghost"
              onClick={() => {
                localStorage.removeItem(TOKEN_KEY);
                location.reload();
              }}
            >
              {t('auth.sign_out')}
            </button>
          </span>
        ) : me.isLoading ? null : (
          <a className="cm-button" href={features.data?.login_url ?? '#'}>
            {t('auth.sign_in')}
          </a>
        )}
      </header>
      <main className="cm-main">
        {features.isLoading && <p>{t('app.loading')}</p>}
        {features.isError && <p role="alert">{t('app.error')}</p>}
        {!me.data && demo.data && (
          <section className="cm-card" aria-labelledby="cm-demo-title">
            <h2 id="cm-demo-title">{t('auth.demo_title')}</h2>
            <p>{t('auth.demo_intro')}</p>
            <ul className="cm-demo-list">
              {demo.data.items.slice(0, 8).map((u) => (
                <li key={u.id}>
                  <a className="cm-button cm-button--ghost" href={`demo/sign-in/${u.id}`}>
                    {u.name} · {t(`auth.role_${u.global_role}`)}
                  </a>
                </li>
              ))}
            </ul>
          </section>
        )}
        {features.data && (
          <section className="cm-card" aria-labelledby="cm-features-title">
            <h2 id="cm-features-title">{t('features.title')}</h2>
            <ul className="cm-features">
              {FEATURE_NAMES.map((f) => (
                <li key={f}>
                  <span>{t(`features.${f}`)}</span>
                  <span className={features.data.features[f] ? 'cm-pill cm-pill--on' : 'cm-pill'}>
                    {features.data.features[f] ? t('features.on') : t('features.off')}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}
      </main>
    </div>
  );
}
