import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

import en from '../../../locales/en/communities.json';

export const i18n = i18next.createInstance();
void i18n.use(initReactI18next).init({
  lng: document.documentElement.lang || 'en',
  fallbackLng: 'en',
  resources: { en: { communities: en } },
  defaultNS: 'communities',
  interpolation: { escapeValue: false },
  // No advertisement in the host page's console.
  showSupportNotice: false,
});
