import { ApiError } from '@communities/client';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';

import { api, TOKEN_KEY } from './api';
import { linkProps, useRoute, WEB_BASE } from './lib/router';
import { CommunityScreen } from './screens/community';
import { DiscoverScreen } from './screens/discover';

function DemoPanel() {
  const { t } = useTranslation();
  const demo = useQuery({ queryKey: ['demo-users'], queryFn: () => api.system.demoUsers() });
  if (!demo.data) return null;
  const pick = [
    ...demo.data.items.filter((u) => u.global_role !== 'student'),
    ...demo.data.items.filter((u) => u.global_role === 'student').slice(0, 4),
  ];
  return (
    <section className="cm-card cm-demo" aria-labelledby="cm-demo-title">
      <h2 id="cm-demo-title">{t('auth.demo_title')}</h2>
      <p>{t('auth.demo_intro')}</p>
      <ul className="cm-demo-list">
        {pick.map((u) => (
          <li key={u.id}>
            <a className="cm-button cm-button--ghost" href={`${WEB_BASE}/demo/sign-in/${u.id}`}>
              {u.name} · {t(`auth.role_${u.global_role}`)}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function App() {
  const { t } = useTranslation();
  const route = useRoute();
  const features = useQuery({ queryKey: ['features'], queryFn: () => api.system.features() });
  const me = useQuery({
    queryKey: ['me'],
    queryFn: () => api.system.me(),
    retry: (count, error) => !(error instanceof ApiError && error.status === 401) && count < 1,
  });
  const signedIn = me.isSuccess;

  return (
    <div className="cm-app">
      <header className="cm-topbar">
        <a className="cm-brand" {...linkProps(WEB_BASE)}>
          <span aria-hidden="true">◆</span> {t('app.name')}
        </a>
        <span className="cm-spacer" />
        {me.data ? (
          <span className="cm-user" data-testid="signed-in">
            {t('auth.signed_in_as', { name: me.data.name })}
            <button
              type="button"
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
      <div className="cm-page">
        {!signedIn && !me.isLoading && features.data?.demo && <DemoPanel />}
        {route.name === 'discover' && <DiscoverScreen signedIn={signedIn} />}
        {route.name === 'community' &&
          (signedIn ? (
            <CommunityScreen slug={route.slug} tab={route.tab} />
          ) : (
            !me.isLoading && <p className="cm-card">{t('errors.signin')}</p>
          ))}
        {route.name === 'not_found' && <p className="cm-card">{t('community.not_found')}</p>}
      </div>
    </div>
  );
}
