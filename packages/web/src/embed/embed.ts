/**
 * The RocketLMS embed: one script tag in RocketLMS's custom JS setting. On course pages it adds
 * "Go to community" / "Course chat" for the course's linked communities, and everywhere a
 * Messages button with the unread DM count. Everything it draws lives in Shadow DOM, so the
 * host page's styles neither leak in nor get changed; signed out (401) it draws nothing.
 */
import { createApi } from '@communities/client';

import { matchLocale, textDirection } from '@communities/contract/i18n';
import { IntlMessageFormat } from 'intl-messageformat';

import { embed as english } from '../../../../locales/en/communities.json';

import { EMBED_CSS } from './embed-css';

type Strings = typeof english;
type Config = { apiBase?: string; courseId?: string | number; webPath?: string };
const FLAG = Symbol.for('communities.embed');
const TOKEN_KEY = 'communities.token';

/** Only the `embed` part of every language is bundled (Vite imports the one named export of each JSON). */
const byLanguage: Record<string, Partial<Strings>> = Object.fromEntries(
  Object.entries(import.meta.glob<Partial<Strings>>('../../../../locales/*/communities.json', { import: 'embed', eager: true })).map(
    ([path, strings]) => [path.split('/').at(-2)!, strings],
  ),
);

/** The host page's language (RocketLMS sets <html lang>), else the browser's; English when none ships. */
function pageLocale(): string {
  const wanted = typeof document === 'undefined' ? [] : [document.documentElement.lang, ...(navigator.languages ?? [])];
  return matchLocale(wanted, Object.keys(byLanguage)) ?? 'en';
}

function t(key: keyof Strings, vars: Record<string, string | number> = {}): string {
  const locale = pageLocale();
  const own = byLanguage[locale]?.[key];
  const raw = own || english[key];
  return String(new IntlMessageFormat(raw, own ? locale : 'en').format(vars));
}

/**
 * RocketLMS course pages: /course/{slug}. The id is in the page's add-to-cart form; where the
 * page has none (an enrolled student's view, a custom theme), the slug from the address.
 */
export function courseFromPage(doc: Document, path: string, configured?: string | number): number | string | null {
  const slug = /^\/course\/([^/]+)\/?$/.exec(path)?.[1];
  if (!slug) return null;
  return courseIdFromPage(doc, configured) ?? decodeURIComponent(slug);
}

function courseIdFromPage(doc: Document, configured?: string | number): number | null {
  const fromConfig = Number(configured);
  if (Number.isInteger(fromConfig) && fromConfig > 0) return fromConfig;
  const marked = doc.querySelector<HTMLElement>('[data-communities-course-id]')?.dataset.communitiesCourseId;
  if (marked && /^\d+$/.test(marked)) return Number(marked);
  // The add-to-cart form (item_name=webinar_id); for enrolled students, forms that post webinar_id.
  for (const form of doc.querySelectorAll('form')) {
    const kind = form.querySelector<HTMLInputElement>('input[name="item_name"]')?.value;
    const id = form.querySelector<HTMLInputElement>('input[name="item_id"]')?.value;
    if ((kind === 'webinar_id' || kind === 'webinar') && id && /^\d+$/.test(id)) return Number(id);
  }
  const direct = doc.querySelector<HTMLInputElement>('input[name="webinar_id"]')?.value;
  return direct && /^\d+$/.test(direct) ? Number(direct) : null;
}

function mount(where: { before?: Element; inside?: Element }, className: string): ShadowRoot {
  const host = document.createElement('div');
  host.setAttribute('data-communities-embed', className);
  // The widgets follow the language they speak: right to left for Arabic, whatever the host page says.
  host.setAttribute('dir', textDirection(pageLocale()));
  host.setAttribute('lang', pageLocale());
  const root = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = EMBED_CSS;
  root.append(style);
  if (where.inside) where.inside.append(host);
  else if (where.before) where.before.after(host);
  else document.body.append(host);
  return root;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & { class?: string },
  ...children: Array<Node | string>
) {
  const node = document.createElement(tag);
  const { class: cls, ...rest } = props;
  Object.assign(node, rest);
  if (cls) node.className = cls;
  node.append(...children);
  return node;
}

async function run(): Promise<void> {
  const w = window as unknown as Record<symbol, boolean> & { CommunitiesEmbed?: Config };
  if (w[FLAG]) return;
  w[FLAG] = true;
  const script = document.currentScript as HTMLScriptElement | null;
  const src = script?.src ? new URL(script.src, location.href) : null;
  const config: Config = { ...(script?.dataset ?? {}), ...(w.CommunitiesEmbed ?? {}) };
  const webPath = config.webPath ?? (src ? src.pathname.replace(/\/embed\.js$/, '') : '/communities');
  const origin = src?.origin ?? location.origin;
  const basePath = webPath.endsWith('/communities') ? webPath.slice(0, -'/communities'.length) : '';
  const apiBase = config.apiBase ?? `${origin}${basePath}`;
  const api = createApi({
    baseUrl: apiBase,
    credentials: origin === location.origin ? 'same-origin' : 'include',
    token: () => {
      try {
        return localStorage.getItem(TOKEN_KEY);
      } catch {
        return null;
      }
    },
  });

  // Signed out, or the addon switched off: nothing to show, nothing to change.
  const [features] = await Promise.all([api.system.features(), api.system.me()]);
  if (!features.enabled) return;

  const course = courseFromPage(document, location.pathname, config.courseId);
  if (course !== null) {
    const linked = (await api.communities.forCourse({ params: { id: course } })).items;
    if (linked.length > 0) {
      const slot = document.querySelector('[data-communities-course]');
      const heading = document.querySelector('h1');
      const root = mount(slot ? { inside: slot } : heading ? { before: heading } : {}, 'course');
      const bar = el('div', { class: 'bar', role: 'group' });
      bar.setAttribute('aria-label', t('region'));
      for (const c of linked) {
        bar.append(el('a', { class: 'btn', href: c.url }, linked.length === 1 ? t('go_to_community') : t('go_to', { name: c.name })));
        if (c.chat_url && features.features.channels !== false)
          bar.append(el('a', { class: 'btn ghost', href: c.chat_url }, t('course_chat')));
      }
      root.append(bar);
    }
  }

  // The bell: unread notifications, linking to the notification list.
  const bellSlot = document.querySelector('[data-communities-notifications]');
  const bellRoot = mount(bellSlot ? { inside: bellSlot } : {}, 'notifications');
  const bellBadge = el('span', { class: 'badge', hidden: true });
  const bell = el(
    'a',
    { class: bellSlot ? 'msg bell' : 'msg floating bell', href: `${basePath}/notifications`, ariaLabel: t('bell') },
    el('span', { class: 'icon', ariaHidden: 'true' }, '🔔'),
    bellBadge,
  );
  bellRoot.append(bell);
  const refreshBell = async () => {
    const { unread_count: n } = await api.notifications.list({ query: { limit: 1 } });
    bellBadge.hidden = n === 0;
    bellBadge.textContent = n > 99 ? '99+' : String(n);
    bell.setAttribute('aria-label', n > 0 ? t('bell_unread', { count: n }) : t('bell'));
  };
  await refreshBell().catch(() => {});
  setInterval(() => {
    if (document.visibilityState === 'visible') refreshBell().catch(() => {});
  }, 60_000);

  if (features.features.dm === false) return;
  const slot = document.querySelector('[data-communities-messages]');
  const root = mount(slot ? { inside: slot } : {}, 'messages');
  const badge = el('span', { class: 'badge', hidden: true });
  const link = el(
    'a',
    { class: slot ? 'msg' : 'msg floating', href: `${basePath}/dm` },
    el('span', { class: 'icon', ariaHidden: 'true' }, '✉'),
    t('messages'),
    badge,
  );
  root.append(link);
  const refresh = async () => {
    const unread = await api.dm.unread();
    badge.hidden = unread.messages === 0;
    badge.textContent = unread.messages > 99 ? '99+' : String(unread.messages);
    link.setAttribute('aria-label', unread.messages > 0 ? `${t('messages')} — ${t('unread', { count: unread.messages })}` : t('messages'));
  };
  await refresh();
  setInterval(() => {
    if (document.visibilityState === 'visible') refresh().catch(() => {});
  }, 60_000);
}

// Never let a failure here break the host page.
if (typeof document !== 'undefined' && !import.meta.env?.VITEST) {
  const start = () => void run().catch(() => {});
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
}
