import { useTranslation } from 'react-i18next';

import { useEffect } from 'react';

import { TOKEN_KEY } from './api';
import { pickedLocale, shippedLocales, switchLocale } from './i18n';
import { adminPath, dmPath, leaderboardPath, linkProps, useRoute, WEB_BASE } from './lib/router';
import { SignInPrompt } from './components/error-note';
import { ChannelScreen } from './screens/channel';
import { CommunityScreen } from './screens/community';
import { CreateCommunityScreen } from './screens/create-community';
import { DiscoverScreen } from './screens/discover';
import { DmScreen } from './screens/dm';
import { useDmUnreadQuery } from './state/queries/dm';
import { useDemoUsersQuery } from './state/queries/system';
import { GlobalLeaderboardScreen, ProfileScreen } from './screens/gamification';
import { ActingAsOwnerBanner } from './screens/admin/acting-banner';
import { AdminArea } from './screens/admin/shell';
import { useAdminAccess } from './screens/admin/access';
import { LevelUpToasts, profilePath } from './components/gamification';
import { NotificationBell, NotificationsScreen } from './components/notifications';
import { SubscriptionToasts } from './components/paid';
import { SearchBox } from './components/search';
import { useCommunityQuery } from './state/queries/communities';
import { SanctionWatcher } from './screens/moderation';
import { RealtimeProvider, useConnection } from './state/realtime';
import { useFeatures, useMe } from './state/session';

function DemoPanel() {
  const { t } = useTranslation();
  const demo = useDemoUsersQuery();
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

function MessagesLink({ active }: { active: boolean }) {
  const { t } = useTranslation();
  const unread = useDmUnreadQuery();
  const n = unread.data?.threads ?? 0;
  return (
    <a
      className={`cm-top-link${active ? ' cm-top-link--on' : ''}`}
      aria-current={active ? 'page' : undefined}
      {...linkProps(dmPath())}
      data-testid="messages-link"
    >
      <span aria-hidden="true">✉</span> <span className="cm-top-label">{t('menu.messages')}</span>
      {n > 0 && (
        <span className="cm-badge cm-badge--mention" aria-label={t('dm.unread_badge', { count: n })}>
          {n}
        </span>
      )}
    </a>
  );
}

/** The admin area's entry, for viewers holding any admin permission. */
function AdminLink({ active }: { active: boolean }) {
  const { t } = useTranslation();
  const access = useAdminAccess();
  if (access.sections.length === 0) return null;
  return (
    <a
      className={`cm-top-link${active ? ' cm-top-link--on' : ''}`}
      aria-current={active ? 'page' : undefined}
      {...linkProps(adminPath())}
      data-testid="admin-link"
    >
      <span aria-hidden="true">⚙</span> <span className="cm-top-label">{t('admin.link')}</span>
    </a>
  );
}

/** Shown while the browser or the live connection is down; pusher-js keeps retrying on its own. */
function OfflineBanner() {
  const { t } = useTranslation();
  const { state, retry } = useConnection();
  if (state !== 'offline') return null;
  return (
    <div className="cm-offline" role="status">
      {t('app.offline')}
      <button type="button" className="cm-link cm-link--inline" onClick={retry}>
        {t('app.retry')}
      </button>
    </div>
  );
}

/** A language's name in that language ("English", "Español", "العربية"), so anyone finds their own. */
function autonym(locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'language' }).of(locale) ?? locale;
  } catch {
    return locale;
  }
}

/** Switches the whole app in place (no reload); the choice is kept in this browser and sent as x-locale. */
function LanguagePicker() {
  const { t, i18n } = useTranslation();
  if (shippedLocales.length < 2) return null;
  return (
    <select
      className="cm-lang"
      aria-label={t('app.language')}
      title={t('app.language')}
      value={i18n.language}
      onChange={(e) => void switchLocale(e.target.value)}
      data-testid="language-picker"
    >
      {shippedLocales.map((l) => (
        <option key={l} value={l} lang={l}>
          {autonym(l)}
        </option>
      ))}
    </select>
  );
}

/** The search box of the community being looked at (scoped to it). */
function CommunitySearch({ slug }: { slug: string }) {
  const community = useCommunityQuery(slug);
  return <SearchBox key={slug} slug={slug} communityId={community.data?.id ?? null} />;
}

export function App() {
  return (
    <RealtimeProvider>
      <Shell />
    </RealtimeProvider>
  );
}

function Shell() {
  const { t } = useTranslation();
  const route = useRoute();
  const features = useFeatures();
  const me = useMe();
  const signedIn = me.isSuccess;
  const chat = route.name === 'channel' || route.name === 'dm';
  // The server's choice for this viewer (users.language, else the browser's) unless one was picked here.
  const serverLanguage = me.data?.language;
  useEffect(() => {
    if (serverLanguage && !pickedLocale()) void switchLocale(serverLanguage, false);
  }, [serverLanguage]);
  const dmOn = features.data?.features.dm !== false;

  return (
    <div className={`cm-app${chat ? ' cm-app--chat' : ''}`}>
      <header className="cm-topbar">
        <a className="cm-brand" {...linkProps(WEB_BASE)}>
          <span aria-hidden="true">◆</span> {t('app.name')}
        </a>
        {signedIn && (route.name === 'community' || route.name === 'channel') && <CommunitySearch slug={route.slug} />}
        <span className="cm-spacer" />
        {signedIn && <NotificationBell />}
        {signedIn && dmOn && <MessagesLink active={route.name === 'dm'} />}
        {me.data && features.data?.features.leaderboard !== false && features.data?.features.gamification !== false && (
          <a
            className={`cm-top-link${route.name === 'leaderboard' ? ' cm-top-link--on' : ''}`}
            {...linkProps(leaderboardPath())}
            data-testid="leaderboard-link"
          >
            <span aria-hidden="true">🏆</span> <span className="cm-top-label">{t('gamification.leaderboard')}</span>
          </a>
        )}
        {me.data && features.data?.features.gamification !== false && (
          <a className={`cm-top-link${route.name === 'profile' ? ' cm-top-link--on' : ''}`} {...linkProps(profilePath(me.data.id))}>
            <span aria-hidden="true">★</span> <span className="cm-top-label">{t('gamification.my_profile')}</span>
          </a>
        )}
        <AdminLink active={route.name === 'admin'} />
        <LanguagePicker />
        {me.data ? (
          <span className="cm-user" data-testid="signed-in">
            <span className="cm-user-name">{t('auth.signed_in_as', { name: me.data.name })}</span>
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
      {signedIn && <OfflineBanner />}
      {signedIn && (route.name === 'community' || route.name === 'channel') && <ActingAsOwnerBanner slug={route.slug} />}
      {signedIn && features.data?.features.gamification !== false && <LevelUpToasts />}
      {signedIn && <SanctionWatcher />}
      {signedIn && features.data?.features.pricing_tiers !== false && <SubscriptionToasts />}
      <div className={`cm-page${chat ? ' cm-page--chat' : ''}`}>
        {!signedIn && !me.isLoading && features.data?.demo && <DemoPanel />}
        {route.name === 'discover' && <DiscoverScreen signedIn={signedIn} />}
        {(route.name === 'community' || chat) && !signedIn && !me.isLoading && <SignInPrompt />}
        {route.name === 'community' && signedIn && <CommunityScreen slug={route.slug} tab={route.tab} />}
        {route.name === 'channel' && me.data && <ChannelScreen slug={route.slug} channel={route.channel} me={me.data} />}
        {route.name === 'dm' && me.data && <DmScreen threadId={route.threadId} me={me.data} />}
        {route.name === 'profile' && signedIn && <ProfileScreen userId={route.userId} slug={route.slug} />}
        {route.name === 'admin' && !signedIn && !me.isLoading && <SignInPrompt />}
        {route.name === 'admin' && signedIn && <AdminArea section={route.section} />}
        {route.name === 'create' && !signedIn && !me.isLoading && <SignInPrompt />}
        {route.name === 'create' && me.data && <CreateCommunityScreen />}
        {route.name === 'notifications' && !signedIn && !me.isLoading && <SignInPrompt />}
        {route.name === 'notifications' && signedIn && <NotificationsScreen />}
        {route.name === 'leaderboard' && !signedIn && !me.isLoading && <SignInPrompt />}
        {route.name === 'leaderboard' && signedIn && <GlobalLeaderboardScreen />}
        {route.name === 'not_found' && <p className="cm-card">{t('community.not_found')}</p>}
      </div>
    </div>
  );
}
