import { ApiError } from '@communities/client';
import { useTranslation } from 'react-i18next';

import { isNetwork, isStatus, useFeatures } from '../state/session';

/** What a failed action tells the user: the server's reason when it gave one. */
export function errorText(t: (k: string) => string, e: unknown): string {
  if (e instanceof ApiError) return e.issues[0]?.message ?? e.message;
  return t('errors.generic');
}

/** "Sign in to take part", with a link to RocketLMS's sign-in page. */
export function SignInPrompt() {
  const { t } = useTranslation();
  const features = useFeatures();
  return (
    <div className="cm-card cm-error" role="alert">
      <p>{t('errors.signin')}</p>
      <a className="cm-button" href={features.data?.login_url ?? '#'}>
        {t('auth.sign_in')}
      </a>
    </div>
  );
}

/** A kind explanation of a failed load: sign in (401), no access (403), gone (404), offline, else retry. */
export function ErrorNote({
  error,
  notFound,
  forbidden,
  onRetry,
}: {
  error: unknown;
  notFound: string;
  forbidden: string;
  onRetry?: () => void;
}) {
  const { t } = useTranslation();
  if (isStatus(error, 401)) return <SignInPrompt />;
  const text = isStatus(error, 404) ? notFound : isStatus(error, 403) ? forbidden : isNetwork(error) ? t('app.offline') : t('app.error');
  const retry = !isStatus(error, 404) && !isStatus(error, 403) && onRetry;
  return (
    <div className="cm-card cm-error" role="alert">
      <p>{text}</p>
      {retry && (
        <button type="button" className="cm-button cm-button--ghost" onClick={onRetry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
}
