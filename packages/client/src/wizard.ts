import { DEFAULT_ROLES, type CommunityPermission, type WizardStep, type wizardSchema, type wizardStepSchemas } from '@communities/contract';

import { ApiError } from './api';

/**
 * The create-community wizard's form, shared by web and mobile: what the screens edit, how it
 * becomes the API's step bodies, how a saved draft comes back, and how API errors land on fields.
 */
export interface WizardForm {
  name: string;
  slug: string;
  description: string;
  category: string;
  /** An uploaded (and scanned) image; `preview` is a local URL for showing it. */
  icon: { id: number; preview: string | null; name: string } | null;
  cover: { id: number; preview: string | null; name: string } | null;
  visibility: 'public' | 'private' | 'hidden';
  joinApproval: boolean;
  /** Permissions of the editable roles (all but the owner's) by role slug. */
  roles: Record<string, CommunityPermission[]>;
  channelCategory: string;
  channels: Array<{ name: string; type: 'text' | 'announcement' }>;
  /** Prices as typed (major units, e.g. "9.99"). */
  tiers: Array<{ name: string; price: string; interval: 'monthly' | 'yearly' | 'once' }>;
  courses: Array<{
    course_id: number;
    course_type: 'course' | 'bundle' | 'live_class';
    link_type: 'primary' | 'related' | 'live_classroom';
    auto_join: boolean;
    title: string | null;
  }>;
}

export const WIZARD_ROLE_SLUGS = DEFAULT_ROLES.filter((r) => r.slug !== 'owner').map((r) => r.slug);

export const DEFAULT_WIZARD: WizardForm = {
  name: '',
  slug: '',
  description: '',
  category: '',
  icon: null,
  cover: null,
  visibility: 'public',
  joinApproval: false,
  roles: Object.fromEntries(DEFAULT_ROLES.filter((r) => r.slug !== 'owner').map((r) => [r.slug, [...r.permissions]])),
  channelCategory: 'General',
  channels: [
    { name: 'general', type: 'text' },
    { name: 'announcements', type: 'announcement' },
  ],
  tiers: [],
  courses: [],
};

/** Where a user's unfinished draft id is remembered on this device. */
export const draftStorageKey = (userId: number) => `communities.wizard.${userId}`;

/** The slug the server would suggest for a name (the same rules as the server's slugify). */
export function slugFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/g, '');
}

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const isSlugShaped = (s: string) => s.length >= 3 && s.length <= 60 && SLUG_PATTERN.test(s);

type Bodies = { [S in WizardStep]: (typeof wizardStepSchemas)[S]['_input'] };

/** Price as typed → minor units; NaN stays NaN so the server names the field. */
const minor = (price: string) => Math.round(Number(price.replace(',', '.')) * 100);

export function wizardBodies(f: WizardForm): Bodies {
  return {
    basics: {
      name: f.name.trim(),
      ...(f.slug ? { slug: f.slug } : {}),
      description: f.description.trim() || null,
      category: f.category.trim() || null,
      icon_upload_id: f.icon?.id ?? null,
      cover_upload_id: f.cover?.id ?? null,
    },
    visibility: {
      visibility: f.visibility,
      settings: { join_approval: f.joinApproval },
      roles: WIZARD_ROLE_SLUGS.map((slug) => ({ slug, permissions: f.roles[slug] ?? [] })),
    },
    channels: {
      category: f.channelCategory.trim() || 'General',
      channels: f.channels.map((c) => ({ name: c.name.trim(), type: c.type })),
    },
    pricing: {
      tiers: f.tiers.map((x, i) => ({
        name: x.name.trim(),
        price_minor: minor(x.price),
        billing_interval: x.interval,
        is_default: i === 0,
      })),
    },
    courses: {
      links: f.courses.map((c) => ({ course_id: c.course_id, course_type: c.course_type, link_type: c.link_type, auto_join: c.auto_join })),
    },
  };
}

type Draft = (typeof wizardSchema)['_output'];

/** A saved draft back into the form (what the user left off with). */
export function fromDraft(d: Draft): WizardForm {
  const s = d.steps as Partial<{ [K in WizardStep]: (typeof wizardStepSchemas)[K]['_output'] }>;
  const f: WizardForm = { ...DEFAULT_WIZARD, slug: d.slug };
  if (s.basics) {
    f.name = s.basics.name;
    f.description = s.basics.description ?? '';
    f.category = s.basics.category ?? '';
    f.icon = s.basics.icon_upload_id ? { id: s.basics.icon_upload_id, preview: null, name: '' } : null;
    f.cover = s.basics.cover_upload_id ? { id: s.basics.cover_upload_id, preview: null, name: '' } : null;
  }
  if (s.visibility) {
    f.visibility = s.visibility.visibility;
    f.joinApproval = s.visibility.settings?.join_approval ?? false;
    if (s.visibility.roles) f.roles = { ...f.roles, ...Object.fromEntries(s.visibility.roles.map((r) => [r.slug, r.permissions])) };
  }
  if (s.channels) {
    f.channelCategory = s.channels.category;
    f.channels = s.channels.channels.map((c) => ({ name: c.name, type: c.type }));
  }
  if (s.pricing)
    f.tiers = s.pricing.tiers.map((x) => ({ name: x.name, price: (x.price_minor / 100).toFixed(2), interval: x.billing_interval }));
  if (s.courses) f.courses = s.courses.links.map((l) => ({ ...l, title: null }));
  return f;
}

/**
 * The API's complaints by field: `body.name` → `name`, `body.links.0.course_id` →
 * `links.0.course_id`; a taken slug (409) lands on `slug`; a course the user does not teach on its row.
 */
export function fieldErrors(e: unknown): Record<string, string> {
  if (!(e instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const i of e.issues) {
    const key = i.path.replace(/^(body|steps\.[a-z]+)\./, '');
    if (!out[key]) out[key] = i.message;
  }
  if (e.status === 409 && e.details.reason === 'slug_unavailable') out.slug = e.message;
  if (typeof e.details.field === 'string') out[e.details.field.replace(/^(body|steps\.[a-z]+)\./, '')] = e.message;
  return out;
}

/**
 * Where a resumed draft reopens: the first screen whose API step is not saved yet (screens that
 * ride on another step's save, like images and roles, never stop it), else the last screen (review).
 */
export function resumeScreen<S extends string>(
  screens: readonly S[],
  apiStepOf: (s: S) => WizardStep | null,
  completed: readonly string[],
): S {
  const done = new Set(completed);
  const seen = new Set<WizardStep>();
  for (const s of screens) {
    const step = apiStepOf(s);
    if (step === null || seen.has(step)) continue;
    seen.add(step);
    if (!done.has(step)) return s;
  }
  return screens[screens.length - 1]!;
}
