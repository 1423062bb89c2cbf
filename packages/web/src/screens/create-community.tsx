import { ApiError, communityKeys } from '@communities/client';
import { COMMUNITY_PERMISSIONS, DEFAULT_ROLES, isServable, type Attachment } from '@communities/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

import { api } from '../api';
import { errorText } from '../components/error-note';
import { timeAgo } from '../lib/format';
import { navigate, WEB_BASE } from '../lib/router';
import {
  DEFAULT_WIZARD,
  draftStorageKey,
  fieldErrors,
  fromDraft,
  resumeScreen,
  slugFromName,
  uploadCommunityImage,
  useSlugCheck,
  useWizardCoursesQuery,
  wizardBodies,
  type DraftSummary,
  type WizardForm,
} from '../state/queries/wizard';
import { useUploadScanned } from '../state/realtime';
import { useFeatures, useMe } from '../state/session';

export const CREATE_PATH = `${WEB_BASE}/new`;

type StepKey = 'basics' | 'images' | 'visibility' | 'roles' | 'channels' | 'pricing' | 'courses' | 'review';
const ALL_STEPS: StepKey[] = ['basics', 'images', 'visibility', 'roles', 'channels', 'pricing', 'courses', 'review'];
/** Which API step each screen saves (images and roles ride on basics and visibility). */
const API_STEP = {
  basics: 'basics',
  images: 'basics',
  visibility: 'visibility',
  roles: 'visibility',
  channels: 'channels',
  pricing: 'pricing',
  courses: 'courses',
  review: null,
} as const;
/** How often a pending scan is asked about, in case its live verdict arrived before the upload's answer. */
const SCAN_POLL_MS = 1500;
const EDITABLE_ROLES = DEFAULT_ROLES.filter((r) => r.slug !== 'owner');

function FieldError({ errors, name }: { errors: Record<string, string>; name: string }) {
  const msg = errors[name];
  if (!msg) return null;
  return (
    <span className="cm-field-error" role="alert" id={`err-${name.replace(/\./g, '-')}`}>
      {msg}
    </span>
  );
}

/** The eight-step create-community wizard; every step is saved as a server draft, so it resumes where it was left. */
export function CreateCommunityScreen() {
  const { t } = useTranslation();
  const me = useMe();
  const features = useFeatures();
  const qc = useQueryClient();
  const pricingOn = features.data?.features.pricing_tiers === true;
  const steps = ALL_STEPS.filter((s) => s !== 'pricing' || pricingOn);
  const storage = me.data ? draftStorageKey(me.data.id) : null;
  const [form, setForm] = useState<WizardForm>(DEFAULT_WIZARD);
  const [draftId, setDraftId] = useState<number | null>(null);
  const [step, setStep] = useState<StepKey>('basics');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [scanning, setScanning] = useState<Record<string, boolean>>({});
  const slugTouched = useRef(false);

  // Resume: the server holds the drafts, so another device finds them too; this device also
  // remembers which screen it was on. A remembered draft reopens at once; otherwise the user picks.
  const [drafts, setDrafts] = useState<DraftSummary[] | null>(null);
  const open = (id: number, at: StepKey | null) =>
    api.communities.wizardGet({ params: { draftId: id } }).then((d) => {
      setDraftId(d.id);
      setSavedSlug(d.slug);
      setForm(fromDraft(d));
      slugTouched.current = true;
      const screen = at && steps.includes(at) ? at : resumeScreen(steps, (x) => API_STEP[x], d.completed);
      setStep(screen);
      if (storage) localStorage.setItem(storage, JSON.stringify({ id: d.id, step: screen }));
      setDrafts(null);
    });
  useEffect(() => {
    if (!storage || loaded || features.isPending) return;
    const saved = localStorage.getItem(storage);
    const parsed = saved ? (JSON.parse(saved) as { id: number; step: StepKey }) : null;
    api.communities
      .wizardDrafts()
      .then((list) => {
        if (parsed && list.items.some((d) => d.id === parsed.id)) return open(parsed.id, parsed.step);
        if (parsed) localStorage.removeItem(storage);
        if (list.items.length > 0) setDrafts(list.items);
      })
      .catch(() => undefined)
      .finally(() => setLoaded(true));
    // Once per user, when the features (and so the steps) are known.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [storage, loaded, features.isPending]);

  const remember = (id: number, s: StepKey) => storage && localStorage.setItem(storage, JSON.stringify({ id, step: s }));
  const set = <K extends keyof WizardForm>(k: K, v: WizardForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  const [savedSlug, setSavedSlug] = useState<string | null>(null);
  const slugCheck = useSlugCheck(form.slug, savedSlug);
  const index = steps.indexOf(step);

  const fail = (e: unknown) => {
    const fe = fieldErrors(e);
    setErrors(fe);
    setGeneral(Object.keys(fe).length ? null : errorText(t, e));
  };

  /** Saves this screen's API step (creating the draft on the first one), then moves on. */
  const saveAndGo = async (to: StepKey) => {
    setErrors({});
    setGeneral(null);
    const apiStep = API_STEP[step];
    setBusy(true);
    try {
      const bodies = wizardBodies(form);
      let id = draftId;
      if (apiStep === 'basics' && id === null) {
        const d = await api.communities.wizardStart({ body: bodies.basics });
        id = d.id;
        setDraftId(d.id);
        set('slug', d.slug);
        setSavedSlug(d.slug);
      } else if (apiStep === 'pricing' && form.tiers.length === 0) {
        // No tiers: a free community; there is nothing to save (and nothing to ask of the pricing adapter).
      } else if (apiStep && id !== null) {
        const d = await api.communities.wizardStep({ params: { draftId: id, step: apiStep }, body: bodies[apiStep] });
        if (apiStep === 'basics') {
          set('slug', d.slug);
          setSavedSlug(d.slug);
        }
      }
      if (id !== null) remember(id, to);
      setStep(to);
      window.scrollTo(0, 0);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const publish = async () => {
    if (draftId === null) return;
    setErrors({});
    setGeneral(null);
    setBusy(true);
    try {
      const c = await api.communities.wizardPublish({ params: { draftId } });
      if (storage) localStorage.removeItem(storage);
      void qc.invalidateQueries({ queryKey: communityKeys.all });
      navigate(`${WEB_BASE}/${c.slug}/settings`);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const startOver = () => {
    if (storage) localStorage.removeItem(storage);
    setDraftId(null);
    setForm(DEFAULT_WIZARD);
    slugTouched.current = false;
    setErrors({});
    setGeneral(null);
    setStep('basics');
  };

  if (!loaded) return <p>{t('app.loading')}</p>;
  if (drafts && drafts.length > 0) return <DraftChooser drafts={drafts} onOpen={(id) => open(id, null)} onNew={() => setDrafts(null)} />;
  const next = steps[index + 1];
  const prev = steps[index - 1];

  let body: ReactNode = null;
  if (step === 'basics')
    body = (
      <>
        <label className="cm-field">
          <span>{t('wizard.name')}</span>
          <input
            value={form.name}
            maxLength={120}
            aria-invalid={!!errors.name}
            onChange={(e) => {
              const name = e.target.value;
              setForm((f) => ({ ...f, name, slug: slugTouched.current ? f.slug : slugFromName(name) }));
            }}
          />
          <FieldError errors={errors} name="name" />
        </label>
        <label className="cm-field">
          <span>{t('wizard.slug')}</span>
          <span className="cm-slug-row">
            <span className="cm-muted cm-small">{`${location.host}${WEB_BASE}/`}</span>
            <input
              value={form.slug}
              maxLength={60}
              aria-invalid={!!errors.slug || slugCheck === 'taken'}
              onChange={(e) => {
                slugTouched.current = true;
                set('slug', e.target.value.toLowerCase());
              }}
            />
          </span>
          <span className="cm-small" role="status" data-testid="slug-check">
            {slugCheck === 'checking' && <span className="cm-muted">{t('wizard.slug_checking')}</span>}
            {slugCheck === 'free' && <span className="cm-ok">{t('wizard.slug_free')}</span>}
            {slugCheck === 'taken' && <span className="cm-danger">{t('wizard.slug_taken')}</span>}
            {slugCheck === 'invalid' && <span className="cm-danger">{t('wizard.slug_invalid')}</span>}
          </span>
          <FieldError errors={errors} name="slug" />
        </label>
        <label className="cm-field">
          <span>{t('wizard.description')}</span>
          <textarea value={form.description} rows={3} maxLength={5000} onChange={(e) => set('description', e.target.value)} />
          <FieldError errors={errors} name="description" />
        </label>
        <label className="cm-field">
          <span>{t('wizard.category')}</span>
          <input value={form.category} maxLength={60} onChange={(e) => set('category', e.target.value)} />
          <FieldError errors={errors} name="category" />
        </label>
      </>
    );
  if (step === 'images')
    body = (
      <div className="cm-wizard-images">
        <ImagePicker
          label={t('wizard.icon')}
          purpose="community_icon"
          value={form.icon}
          shape="icon"
          onChange={(v) => set('icon', v)}
          onBusy={(b) => setScanning((x) => (x.icon === b ? x : { ...x, icon: b }))}
          error={errors.icon_upload_id}
        />
        <ImagePicker
          label={t('wizard.cover')}
          purpose="community_cover"
          value={form.cover}
          shape="cover"
          onChange={(v) => set('cover', v)}
          onBusy={(b) => setScanning((x) => (x.cover === b ? x : { ...x, cover: b }))}
          error={errors.cover_upload_id}
        />
      </div>
    );
  if (step === 'visibility')
    body = (
      <>
        <fieldset className="cm-field">
          <legend>{t('wizard.visibility')}</legend>
          {(['public', 'private', 'hidden'] as const).map((v) => (
            <label key={v} className="cm-radio-card">
              <input type="radio" name="visibility" checked={form.visibility === v} onChange={() => set('visibility', v)} />
              <span>
                <strong>{t(`visibility.${v}`)}</strong>
                <span className="cm-muted cm-small">{t(`wizard.visibility_${v}`)}</span>
              </span>
            </label>
          ))}
          <FieldError errors={errors} name="visibility" />
        </fieldset>
        <label className="cm-check">
          <input type="checkbox" checked={form.joinApproval} onChange={(e) => set('joinApproval', e.target.checked)} />
          <span>{t('settings.join_approval')}</span>
        </label>
      </>
    );
  if (step === 'roles')
    body = (
      <>
        <p className="cm-muted cm-small">{t('wizard.roles_hint')}</p>
        <div className="cm-matrix-wrap">
          <table className="cm-matrix">
            <thead>
              <tr>
                <th scope="col">{t('roles.permission')}</th>
                {EDITABLE_ROLES.map((r) => (
                  <th key={r.slug} scope="col">
                    {t(`membership.role_${r.slug}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {COMMUNITY_PERMISSIONS.map((p) => (
                <tr key={p}>
                  <th scope="row">{t(`roles.perm_${p}`)}</th>
                  {EDITABLE_ROLES.map((r) => {
                    const on = form.roles[r.slug]!.includes(p);
                    return (
                      <td key={r.slug}>
                        <input
                          type="checkbox"
                          aria-label={t('roles.toggle', { role: t(`membership.role_${r.slug}`), perm: t(`roles.perm_${p}`) })}
                          checked={on}
                          onChange={() =>
                            set('roles', {
                              ...form.roles,
                              [r.slug]: on ? form.roles[r.slug]!.filter((x) => x !== p) : [...form.roles[r.slug]!, p],
                            })
                          }
                        />
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <FieldError errors={errors} name="roles" />
      </>
    );
  if (step === 'channels')
    body = (
      <>
        <label className="cm-field">
          <span>{t('wizard.category_name')}</span>
          <input value={form.channelCategory} maxLength={100} onChange={(e) => set('channelCategory', e.target.value)} />
          <FieldError errors={errors} name="category" />
        </label>
        <ul className="cm-wizard-list">
          {form.channels.map((ch, i) => (
            <li key={i} className="cm-wizard-row">
              <input
                className="cm-input"
                aria-label={t('wizard.channel_name', { n: i + 1 })}
                value={ch.name}
                maxLength={100}
                onChange={(e) =>
                  set(
                    'channels',
                    form.channels.map((c, j) => (j === i ? { ...c, name: e.target.value } : c)),
                  )
                }
              />
              <select
                className="cm-input"
                aria-label={t('wizard.channel_type', { n: i + 1 })}
                value={ch.type}
                onChange={(e) =>
                  set(
                    'channels',
                    form.channels.map((c, j) => (j === i ? { ...c, type: e.target.value as 'text' | 'announcement' } : c)),
                  )
                }
              >
                <option value="text">{t('settings.type_text')}</option>
                <option value="announcement">{t('settings.type_announcement')}</option>
              </select>
              <button
                type="button"
                className="cm-link-button cm-danger"
                disabled={form.channels.length <= 1}
                onClick={() =>
                  set(
                    'channels',
                    form.channels.filter((_, j) => j !== i),
                  )
                }
              >
                {t('wizard.remove')}
              </button>
              <FieldError errors={errors} name={`channels.${i}.name`} />
            </li>
          ))}
        </ul>
        <button
          type="button"
          className="cm-button cm-button--ghost"
          disabled={form.channels.length >= 20}
          onClick={() => set('channels', [...form.channels, { name: '', type: 'text' }])}
        >
          {t('wizard.add_channel')}
        </button>
        <FieldError errors={errors} name="channels" />
      </>
    );
  if (step === 'pricing')
    body = (
      <>
        <p className="cm-muted cm-small">{t('wizard.pricing_hint')}</p>
        <ul className="cm-wizard-list">
          {form.tiers.map((tier, i) => (
            <li key={i} className="cm-wizard-row">
              <input
                className="cm-input"
                aria-label={t('wizard.tier_name', { n: i + 1 })}
                value={tier.name}
                maxLength={80}
                onChange={(e) =>
                  set(
                    'tiers',
                    form.tiers.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)),
                  )
                }
              />
              <input
                className="cm-input cm-input--num"
                type="number"
                min={0}
                step="0.01"
                aria-label={t('wizard.tier_price', { n: i + 1 })}
                value={tier.price}
                onChange={(e) =>
                  set(
                    'tiers',
                    form.tiers.map((x, j) => (j === i ? { ...x, price: e.target.value } : x)),
                  )
                }
              />
              <select
                className="cm-input"
                aria-label={t('wizard.tier_interval', { n: i + 1 })}
                value={tier.interval}
                onChange={(e) =>
                  set(
                    'tiers',
                    form.tiers.map((x, j) => (j === i ? { ...x, interval: e.target.value as typeof tier.interval } : x)),
                  )
                }
              >
                {(['monthly', 'yearly', 'once'] as const).map((v) => (
                  <option key={v} value={v}>
                    {t(`wizard.interval_${v}`)}
                  </option>
                ))}
              </select>
              <button
                type="button"
                className="cm-link-button cm-danger"
                onClick={() =>
                  set(
                    'tiers',
                    form.tiers.filter((_, j) => j !== i),
                  )
                }
              >
                {t('wizard.remove')}
              </button>
              <FieldError errors={errors} name={`tiers.${i}.name`} />
              <FieldError errors={errors} name={`tiers.${i}.price_minor`} />
            </li>
          ))}
        </ul>
        <button
          type="button"
          className="cm-button cm-button--ghost"
          disabled={form.tiers.length >= 10}
          onClick={() => set('tiers', [...form.tiers, { name: '', price: '0', interval: 'monthly' }])}
        >
          {t('wizard.add_tier')}
        </button>
      </>
    );
  if (step === 'courses') body = <CoursesStep form={form} set={set} errors={errors} />;
  if (step === 'review')
    body = (
      <dl className="cm-review">
        <dt>{t('wizard.name')}</dt>
        <dd>{form.name}</dd>
        <dt>{t('wizard.slug')}</dt>
        <dd>{`${WEB_BASE}/${form.slug}`}</dd>
        <dt>{t('wizard.category')}</dt>
        <dd>{form.category || '—'}</dd>
        <dt>{t('wizard.images')}</dt>
        <dd>
          {form.icon ? t('wizard.icon') : null}
          {form.icon && form.cover ? ', ' : null}
          {form.cover ? t('wizard.cover') : null}
          {!form.icon && !form.cover && '—'}
        </dd>
        <dt>{t('wizard.visibility')}</dt>
        <dd>
          {t(`visibility.${form.visibility}`)}
          {form.joinApproval ? ` · ${t('settings.join_approval')}` : ''}
        </dd>
        <dt>{t('wizard.channels')}</dt>
        <dd>
          {form.channelCategory}: {form.channels.map((c) => `${c.type === 'announcement' ? '📣' : '#'} ${c.name}`).join(', ')}
        </dd>
        {pricingOn && (
          <>
            <dt>{t('wizard.pricing')}</dt>
            <dd>{form.tiers.length ? form.tiers.map((x) => `${x.name} (${x.price})`).join(', ') : t('wizard.free')}</dd>
          </>
        )}
        <dt>{t('wizard.courses')}</dt>
        <dd>{form.courses.length ? form.courses.map((c) => c.title ?? `#${c.course_id}`).join(', ') : '—'}</dd>
      </dl>
    );

  return (
    <div className="cm-wizard">
      <div className="cm-wizard-head">
        <h1>{t('wizard.title')}</h1>
        {draftId !== null && (
          <button type="button" className="cm-link-button" onClick={startOver}>
            {t('wizard.start_over')}
          </button>
        )}
      </div>
      <ol className="cm-steps" aria-label={t('wizard.progress')}>
        {steps.map((s, i) => (
          <li
            key={s}
            className={s === step ? 'cm-step cm-step--on' : i < index ? 'cm-step cm-step--done' : 'cm-step'}
            aria-current={s === step ? 'step' : undefined}
          >
            <span className="cm-step-n">{i + 1}</span>
            <span className="cm-step-label">{t(`wizard.step_${s}`)}</span>
          </li>
        ))}
      </ol>
      <form
        className="cm-card cm-settings"
        aria-labelledby="cm-wizard-step"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (busy) return;
          if (next) void saveAndGo(next);
          else void publish();
        }}
      >
        <h2 id="cm-wizard-step">
          {t('wizard.step_of', { n: index + 1, total: steps.length })} · {t(`wizard.step_${step}`)}
        </h2>
        {body}
        {general && (
          <p role="alert" className="cm-error-text">
            {general}
          </p>
        )}
        {step === 'review' && Object.keys(errors).length > 0 && (
          <ul role="alert" className="cm-error-text">
            {Object.entries(errors).map(([k, v]) => (
              <li key={k}>{v}</li>
            ))}
          </ul>
        )}
        <div className="cm-settings-actions cm-wizard-actions">
          {prev && (
            <button type="button" className="cm-button cm-button--ghost" disabled={busy} onClick={() => setStep(prev)}>
              {t('wizard.back')}
            </button>
          )}
          <span className="cm-spacer" />
          <button
            type="submit"
            className="cm-button"
            disabled={busy || (step === 'basics' && slugCheck === 'taken') || (step === 'images' && Object.values(scanning).some(Boolean))}
          >
            {next ? t('wizard.next') : t('wizard.publish')}
          </button>
        </div>
      </form>
    </div>
  );
}

type ImageValue = WizardForm['icon'];

function ImagePicker({
  label,
  purpose,
  value,
  shape,
  onChange,
  onBusy,
  error,
}: {
  onBusy: (busy: boolean) => void;
  label: string;
  purpose: 'community_icon' | 'community_cover';
  value: ImageValue;
  shape: 'icon' | 'cover';
  onChange: (v: ImageValue) => void;
  error: string | undefined;
}) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'uploading' | 'error'>('idle');
  const [message, setMessage] = useState<string | null>(null);
  const [attachment, setAttachment] = useState<Attachment | null>(null);
  const input = useRef<HTMLInputElement>(null);
  // The scan ends after the upload: its verdict arrives live, or (if it came before the upload's
  // answer did) when asked again.
  useUploadScanned((a) => setAttachment((cur) => (cur && cur.id === a.id && cur.kind === a.kind ? a : cur)));
  const pendingId = attachment?.scan_status === 'pending' ? attachment.id : null;
  // "Save and continue" waits for the upload and its scan: the server takes only scanned images.
  const working = state === 'uploading' || pendingId !== null;
  useEffect(() => {
    if (pendingId === null) return;
    const timer = setInterval(() => {
      api.uploads.status({ params: { kind: 'channel', id: pendingId } }).then(
        (a) => a.scan_status !== 'pending' && setAttachment((cur) => (cur?.id === a.id ? a : cur)),
        () => undefined,
      );
    }, SCAN_POLL_MS);
    return () => clearInterval(timer);
  }, [pendingId]);
  // A resumed draft knows only the upload's id: fetch the image to show it again.
  const latest = useRef({ value, onChange });
  const onBusyRef = useRef(onBusy);
  useEffect(() => {
    latest.current = { value, onChange };
    onBusyRef.current = onBusy;
  });
  useEffect(() => onBusyRef.current(working), [working]);
  const missingPreview = value && !value.preview ? value.id : null;
  useEffect(() => {
    if (missingPreview === null) return;
    let gone = false;
    api.uploads.download({ params: { kind: 'channel', id: missingPreview } }).then(
      (blob) => {
        const v = latest.current.value;
        if (!gone && v?.id === missingPreview) latest.current.onChange({ ...v, preview: URL.createObjectURL(blob as Blob) });
      },
      () => undefined,
    );
    return () => {
      gone = true;
    };
  }, [missingPreview]);
  const pick = (file: File | undefined) => {
    if (!file) return;
    const preview = URL.createObjectURL(file);
    setState('uploading');
    setMessage(null);
    uploadCommunityImage(file, purpose).then(
      (a) => {
        setAttachment(a);
        setState('idle');
        onChange({ id: a.id, preview, name: a.original_name });
      },
      (e: unknown) => {
        setState('error');
        setMessage(e instanceof ApiError ? errorText(t, e) : t('chat.upload_failed', { name: file.name }));
      },
    );
    if (input.current) input.current.value = '';
  };
  const scan = attachment?.scan_status;
  return (
    <div className="cm-field cm-image-picker">
      <span>{label}</span>
      <div className={`cm-image-preview cm-image-preview--${shape}`}>
        {value?.preview ? (
          <img src={value.preview} alt={t('wizard.preview_of', { what: label })} />
        ) : (
          <span className="cm-muted">{t('wizard.no_image')}</span>
        )}
      </div>
      <span className="cm-row">
        <label className="cm-button cm-button--ghost cm-file-button">
          {value ? t('wizard.replace_image') : t('wizard.choose_image')}
          <input
            ref={input}
            type="file"
            accept="image/png,image/jpeg,image/webp,image/gif"
            aria-label={label}
            className="cm-sr"
            onChange={(e) => pick(e.target.files?.[0])}
          />
        </label>
        {value && (
          <button type="button" className="cm-link-button cm-danger" onClick={() => onChange(null)}>
            {t('wizard.remove')}
          </button>
        )}
      </span>
      <span className="cm-small" role="status">
        {state === 'uploading' && <span className="cm-muted">{t('feed.uploading')}</span>}
        {state === 'idle' && scan === 'pending' && <span className="cm-muted">{t('feed.attachment_pending')}</span>}
        {state === 'idle' && scan && isServable(scan) && (
          <span className="cm-ok">{t('wizard.image_ready', { name: value?.name ?? '' })}</span>
        )}
        {state === 'error' && <span className="cm-danger">{message}</span>}
      </span>
      {error && (
        <span className="cm-field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** Unfinished drafts found on the server (perhaps started on another device): continue one, or start anew. */
function DraftChooser({ drafts, onOpen, onNew }: { drafts: DraftSummary[]; onOpen: (id: number) => Promise<void>; onNew: () => void }) {
  const { t, i18n } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="cm-wizard">
      <h1>{t('wizard.title')}</h1>
      <section className="cm-card cm-settings" aria-labelledby="cm-drafts-title">
        <h2 id="cm-drafts-title">{t('wizard.drafts_title')}</h2>
        <p className="cm-muted cm-small">{t('wizard.drafts_hint')}</p>
        <ul className="cm-admin-list">
          {drafts.map((d) => (
            <li key={d.id} aria-label={d.name}>
              <span className="cm-grow">
                <strong>{d.name}</strong>{' '}
                <span className="cm-muted cm-small">
                  {t('wizard.draft_saved', { when: timeAgo(d.updated_at, i18n.language), done: d.completed.length })}
                </span>
              </span>
              <button
                type="button"
                className="cm-button cm-button--sm"
                onClick={() => void onOpen(d.id).catch((e: unknown) => setError(errorText(t, e)))}
              >
                {t('wizard.draft_continue')}
              </button>
            </li>
          ))}
        </ul>
        <button type="button" className="cm-button cm-button--ghost" onClick={onNew}>
          {t('wizard.draft_new')}
        </button>
        {error && (
          <p role="alert" className="cm-error-text">
            {error}
          </p>
        )}
      </section>
    </div>
  );
}

/** Linked courses, picked from those the creator teaches (admins: any course, searched by title). */
function CoursesStep({
  form,
  set,
  errors,
}: {
  form: WizardForm;
  set: <K extends keyof WizardForm>(k: K, v: WizardForm[K]) => void;
  errors: Record<string, string>;
}) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const courses = useWizardCoursesQuery(q.trim());
  const found = courses.data?.items ?? [];
  const linked = (c: { id: number; type: string }) => form.courses.some((x) => x.course_id === c.id && x.course_type === c.type);
  // A resumed draft keeps only ids: titles come back from the picker's list.
  const title = (c: WizardForm['courses'][number]) =>
    c.title ?? found.find((x) => x.id === c.course_id && x.type === c.course_type)?.title ?? t('wizard.course_row', { id: c.course_id });
  return (
    <>
      <p className="cm-muted cm-small">{t('wizard.courses_hint')}</p>
      {form.courses.length > 0 && (
        <ul className="cm-wizard-list" aria-label={t('wizard.courses_linked')}>
          {form.courses.map((c, i) => (
            <li key={`${c.course_type}-${c.course_id}`} className="cm-wizard-row" aria-label={title(c)}>
              <span className="cm-grow">
                <strong>{title(c)}</strong> <span className="cm-muted cm-small">{t(`wizard.course_type_${c.course_type}`)}</span>
              </span>
              <select
                className="cm-input"
                aria-label={t('wizard.link_type', { id: title(c) })}
                value={c.link_type}
                onChange={(e) =>
                  set(
                    'courses',
                    form.courses.map((x, j) => (j === i ? { ...x, link_type: e.target.value as typeof c.link_type } : x)),
                  )
                }
              >
                {(['primary', 'related', 'live_classroom'] as const).map((v) => (
                  <option key={v} value={v}>
                    {t(`wizard.link_${v}`)}
                  </option>
                ))}
              </select>
              <label className="cm-check">
                <input
                  type="checkbox"
                  checked={c.auto_join}
                  onChange={(e) =>
                    set(
                      'courses',
                      form.courses.map((x, j) => (j === i ? { ...x, auto_join: e.target.checked } : x)),
                    )
                  }
                />
                <span>{t('wizard.auto_join')}</span>
              </label>
              <button
                type="button"
                className="cm-link-button cm-danger"
                onClick={() =>
                  set(
                    'courses',
                    form.courses.filter((_, j) => j !== i),
                  )
                }
              >
                {t('wizard.remove')}
              </button>
              <FieldError errors={errors} name={`links.${i}.course_id`} />
            </li>
          ))}
        </ul>
      )}
      <div className="cm-course-picker">
        <input
          className="cm-input"
          type="search"
          aria-label={t('wizard.course_search')}
          placeholder={t('wizard.course_search')}
          value={q}
          maxLength={100}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && e.preventDefault()}
        />
        {courses.isSuccess && found.length === 0 && (
          <p className="cm-muted cm-small">{q.trim() ? t('wizard.course_none_found') : t('wizard.course_none_taught')}</p>
        )}
        <ul className="cm-admin-list" aria-label={t('wizard.course_choices')} data-testid="course-picker">
          {found.map((c) => (
            <li key={`${c.type}-${c.id}`} aria-label={c.title}>
              {c.image_url ? <img className="cm-course-thumb" src={c.image_url} alt="" /> : null}
              <span className="cm-grow">
                <strong>{c.title}</strong> <span className="cm-muted cm-small">{t(`wizard.course_type_${c.type}`)}</span>
              </span>
              <button
                type="button"
                className="cm-button cm-button--ghost cm-button--sm"
                disabled={linked(c) || form.courses.length >= 50}
                aria-label={t('wizard.link_named', { title: c.title })}
                onClick={() =>
                  set('courses', [
                    ...form.courses,
                    { course_id: c.id, course_type: c.type, link_type: 'primary', auto_join: true, title: c.title },
                  ])
                }
              >
                {linked(c) ? t('wizard.course_linked') : t('wizard.link_course')}
              </button>
            </li>
          ))}
        </ul>
        {courses.isError && (
          <p role="alert" className="cm-error-text">
            {errorText(t, courses.error)}
          </p>
        )}
      </div>
      <FieldError errors={errors} name="links" />
    </>
  );
}
