import { I18N_NAMESPACE } from '@communities/contract/i18n';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { serverI18n } from '../src/http/locale';

import { startTestServer, type TestServer } from './support/server';

/**
 * Which language the server answers in, through HTTP: x-locale, then RocketLMS users.language, then
 * Accept-Language, then host.default_locale. Test-only bundles stand in for languages this branch may not
 * ship yet (a real locales/ar or locales/es file keeps its own strings: nothing here overwrites them).
 */
let s: TestServer;
const i18n = serverI18n();
beforeAll(async () => {
  i18n.addResourceBundle('ar', I18N_NAMESPACE, { api_errors: { unauthenticated: 'سجّل الدخول أولاً.' } }, true, false);
  i18n.addResourceBundle('es', I18N_NAMESPACE, { api_errors: { unauthenticated: 'Inicia sesión primero.' } }, true, false);
  // A language with one key only: everything else falls back to English, key by key.
  i18n.addResourceBundle('eo', I18N_NAMESPACE, { api_errors: { unauthenticated: 'Unue ensalutu.' } }, true, true);
  s = await startTestServer();
});
afterAll(async () => s.close());

async function me(userId: number | null, headers: Record<string, string> = {}) {
  const auth: Record<string, string> = userId === null ? {} : { authorization: `Bearer ${await s.token(userId)}` };
  const res = await fetch(`${s.url}/api/communities/me`, { headers: { ...auth, ...headers } });
  return { status: res.status, language: res.headers.get('content-language'), body: (await res.json()) as Record<string, any> };
}

async function setLanguage(userId: number, language: string | null) {
  await s.ctx.hostDb.updateTable('users').set({ language }).where('id', '=', userId).execute();
}

describe('the locale a request is answered in', () => {
  it("follows RocketLMS users.language over the browser's Accept-Language", async () => {
    const id = s.demo.studentIds[1]!;
    await setLanguage(id, 'ar');
    const r = await me(id, { 'accept-language': 'es-ES,es;q=0.9' });
    expect(r.status).toBe(200);
    expect(r.body.locale).toBe('ar');
    expect(r.body.language).toBe('ar');
    expect(r.body.direction).toBe('rtl');
  });

  it('lets the mobile app (or a language picked in the web app) choose with x-locale', async () => {
    const id = s.demo.studentIds[2]!;
    await setLanguage(id, 'ar');
    const r = await me(id, { 'x-locale': 'es', 'accept-language': 'ar' });
    expect(r.body.language).toBe('es');
    expect(r.body.direction).toBe('ltr');
    // A language nothing ships is passed over, not echoed back.
    const unknown = await me(id, { 'x-locale': 'tlh' });
    expect(unknown.body.language).toBe('ar');
  });

  it('uses Accept-Language when the user has no language, matching a region to its language', async () => {
    const id = s.demo.studentIds[3]!;
    await setLanguage(id, null);
    expect((await me(id, { 'accept-language': 'fr-FR, es-MX;q=0.8, en;q=0.5' })).body.language).toBe('es');
    expect((await me(id, { 'accept-language': 'fr-FR' })).body.language).toBe('en');
    expect((await me(id)).body.language).toBe('en');
  });

  it("says error messages in the request's language, keeping the code, with English per missing key", async () => {
    const ar = await me(null, { 'accept-language': 'ar' });
    expect(ar.status).toBe(401);
    expect(ar.body.error.code).toBe('unauthenticated');
    expect(ar.language).toBe('ar');
    expect(ar.body.error.message).toBe(i18n.t('api_errors.unauthenticated', { lng: 'ar' }));
    expect(ar.body.error.message).not.toBe('Sign in first');

    const es = await me(null, { 'x-locale': 'es-MX' });
    expect(es.body.error.message).toBe(i18n.t('api_errors.unauthenticated', { lng: 'es' }));

    const eo = await me(null, { 'x-locale': 'eo' });
    expect(eo.body.error.message).toBe('Unue ensalutu.');
    // eo has no api_errors.not_found: the English message stays, word for word.
    const token = await s.token(s.demo.studentIds[0]!);
    const notFound = async (headers: Record<string, string>) => {
      const res = await fetch(`${s.url}/api/communities/999999`, { headers: { authorization: `Bearer ${token}`, ...headers } });
      expect(res.status).toBe(404);
      return ((await res.json()) as { error: { code: string; message: string } }).error;
    };
    expect(i18n.exists('api_errors.not_found', { lng: 'eo', fallbackLng: false })).toBe(false);
    const inEnglish = await notFound({});
    const inEo = await notFound({ 'x-locale': 'eo' });
    expect(inEo.code).toBe('not_found');
    expect(inEo.message).toBe(inEnglish.message);

    const english = await me(null, { 'accept-language': 'en-GB' });
    expect(english.body.error.message).toBe('Sign in first');
  });
});
