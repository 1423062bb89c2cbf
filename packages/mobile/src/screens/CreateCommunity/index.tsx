import { DEFAULT_WIZARD, fieldErrors, fromDraft, wizardBodies, WIZARD_ROLE_SLUGS, type WizardForm } from '@communities/client';
import { COMMUNITY_PERMISSIONS, type CommunityDetail } from '@communities/contract';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Pressable, ScrollView, Switch, Text, TextInput, View } from 'react-native';

import { Button } from '../../components/button';
import { Screen } from '../../components/screen';
import { Loading } from '../../components/states';
import { useStyles } from '../../components/use-styles';
import type { CommunitiesTheme } from '../../config';
import { useAddon } from '../../context';
import { uploadPicked } from '../../lib/uploads';
import { useWizardCoursesQuery } from '../../state/queries/wizard';

export interface CreateCommunityScreenProps {
  /** Resume this draft (the host keeps the id it was given by `onDraft`). */
  draftId?: number | null;
  /** The draft's id once the first step is saved, and each time the user moves on, with the step. */
  onDraft?: (draftId: number, step: string) => void;
  /** The community is live: open it. */
  onPublished: (community: CommunityDetail) => void;
}

type StepKey = 'basics' | 'images' | 'visibility' | 'roles' | 'channels' | 'pricing' | 'courses' | 'review';
/** How often, and how many times, a just-uploaded image's scan is asked about. */
const SCAN_POLL_MS = 1000;
const SCAN_WAIT_TRIES = 60;
const ALL: StepKey[] = ['basics', 'images', 'visibility', 'roles', 'channels', 'pricing', 'courses', 'review'];
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

const make = (t: CommunitiesTheme) => ({
  body: { padding: 16, gap: 12 },
  title: { fontSize: 20, fontWeight: '700' as const, color: t.text },
  progress: { fontSize: 13, color: t.muted },
  label: { fontSize: 14, fontWeight: '600' as const, color: t.text },
  input: { borderWidth: 1, borderColor: t.border, borderRadius: 8, padding: 10, color: t.text, backgroundColor: t.surface },
  error: { color: t.danger, fontSize: 13 },
  muted: { color: t.muted, fontSize: 13 },
  row: { flexDirection: 'row' as const, alignItems: 'center' as const, gap: 8, flexWrap: 'wrap' as const },
  option: { padding: 12, borderRadius: 10, borderWidth: 1, borderColor: t.border, backgroundColor: t.surface },
  optionOn: { borderColor: t.primary },
  actions: { flexDirection: 'row' as const, justifyContent: 'space-between' as const, padding: 16, gap: 12 },
  text: { color: t.text, fontSize: 15 },
});

/**
 * The create-community wizard as a stack of screens, one per step: each step is saved as a server
 * draft before the next one shows, so leaving and coming back (with `draftId`) continues there.
 */
export function CreateCommunityScreen({ draftId: initialDraft = null, onDraft, onPublished }: CreateCommunityScreenProps) {
  const { t } = useTranslation();
  const { api, config, features } = useAddon();
  const s = useStyles(make);
  const pricingOn = features?.features.pricing_tiers === true;
  const steps = ALL.filter((k) => k !== 'pricing' || pricingOn);
  const [form, setForm] = useState<WizardForm>(DEFAULT_WIZARD);
  const [draftId, setDraftId] = useState<number | null>(initialDraft);
  const [stack, setStack] = useState<StepKey[]>(['basics']);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [loaded, setLoaded] = useState(initialDraft === null);
  const step = stack[stack.length - 1]!;
  const set = <K extends keyof WizardForm>(k: K, v: WizardForm[K]) => setForm((f) => ({ ...f, [k]: v }));

  // Resume: the saved steps come back, and the stack reopens at the first step not saved yet.
  useEffect(() => {
    if (initialDraft === null) return;
    api.communities.wizardGet({ params: { draftId: initialDraft } }).then(
      (d) => {
        setForm(fromDraft(d));
        const done = new Set<string>(d.completed);
        const at = steps.findIndex((k) => k !== 'images' && k !== 'roles' && API_STEP[k] !== null && !done.has(API_STEP[k]));
        setStack(steps.slice(0, (at < 0 ? steps.length - 1 : at) + 1));
        setLoaded(true);
      },
      () => {
        setDraftId(null);
        setLoaded(true);
      },
    );
    // Only on mount: the draft the host handed over.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const fail = (e: unknown) => {
    const fe = fieldErrors(e);
    setErrors(fe);
    setGeneral(Object.keys(fe).length ? null : e instanceof Error ? e.message : t('errors.try_again'));
  };

  const goNext = async () => {
    const to = steps[steps.indexOf(step) + 1];
    setErrors({});
    setGeneral(null);
    setBusy(true);
    try {
      const bodies = wizardBodies(form);
      const apiStep = API_STEP[step];
      let id = draftId;
      if (apiStep === 'basics' && id === null) {
        const d = await api.communities.wizardStart({ body: bodies.basics });
        id = d.id;
        setDraftId(d.id);
        set('slug', d.slug);
      } else if (apiStep === 'pricing' && form.tiers.length === 0) {
        // No tiers: a free community; there is nothing to save (and nothing to ask of the pricing adapter).
      } else if (apiStep && id !== null) {
        const d = await api.communities.wizardStep({ params: { draftId: id, step: apiStep }, body: bodies[apiStep] });
        if (apiStep === 'basics') set('slug', d.slug);
      }
      if (!to) {
        const c = await api.communities.wizardPublish({ params: { draftId: id! } });
        onPublished(c);
        return;
      }
      if (id !== null) onDraft?.(id, to);
      setStack((st) => [...st, to]);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const pickImage = async (which: 'icon' | 'cover') => {
    if (!config.pickAttachment) return;
    const file = await config.pickAttachment();
    if (!file) return;
    setBusy(true);
    try {
      let a = await uploadPicked(api, file, { purpose: which === 'icon' ? 'community_icon' : 'community_cover' });
      // The server takes only scanned images: wait for the verdict before moving on.
      for (let i = 0; a.scan_status === 'pending' && i < SCAN_WAIT_TRIES; i++) {
        await new Promise((r) => setTimeout(r, SCAN_POLL_MS));
        a = await api.uploads.status({ params: { kind: a.kind, id: a.id } });
      }
      set(which, { id: a.id, preview: file.uri ?? null, name: a.original_name });
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  if (!loaded)
    return (
      <Screen name="communities.create" testID="create-community">
        <Loading />
      </Screen>
    );

  const err = (k: string) =>
    errors[k] ? (
      <Text style={s.error} testID={`wizard-error-${k}`}>
        {errors[k]}
      </Text>
    ) : null;
  const field = (label: string, k: 'name' | 'slug' | 'description' | 'category', testID: string, multiline = false) => (
    <View style={{ gap: 4 }}>
      <Text style={s.label}>{label}</Text>
      <TextInput
        style={s.input}
        value={form[k]}
        multiline={multiline}
        autoCapitalize={k === 'slug' ? 'none' : 'sentences'}
        accessibilityLabel={label}
        onChangeText={(v) => set(k, k === 'slug' ? v.toLowerCase() : v)}
        testID={testID}
      />
      {err(k)}
    </View>
  );

  let body: ReactNode = null;
  if (step === 'basics')
    body = (
      <>
        {field(t('wizard.name'), 'name', 'wizard-name')}
        {field(t('wizard.slug'), 'slug', 'wizard-slug')}
        {field(t('wizard.description'), 'description', 'wizard-description', true)}
        {field(t('wizard.category'), 'category', 'wizard-category')}
      </>
    );
  if (step === 'images')
    body = (
      <>
        {(['icon', 'cover'] as const).map((which) => (
          <View key={which} style={{ gap: 6 }}>
            <Text style={s.label}>{which === 'icon' ? t('wizard.icon') : t('wizard.cover')}</Text>
            <Text style={s.muted} testID={`wizard-${which}-state`}>
              {form[which] ? t('wizard.image_ready', { name: form[which].name }) : t('wizard.no_image')}
            </Text>
            {config.pickAttachment ? (
              <Button
                variant="secondary"
                label={form[which] ? t('wizard.replace_image') : t('wizard.choose_image')}
                disabled={busy}
                onPress={() => void pickImage(which)}
                testID={`wizard-pick-${which}`}
              />
            ) : null}
            {err(`${which}_upload_id`)}
          </View>
        ))}
      </>
    );
  if (step === 'visibility')
    body = (
      <>
        {(['public', 'private', 'hidden'] as const).map((v) => (
          <Pressable
            key={v}
            style={[s.option, form.visibility === v && s.optionOn]}
            accessibilityRole="radio"
            accessibilityState={{ checked: form.visibility === v }}
            onPress={() => set('visibility', v)}
            testID={`wizard-visibility-${v}`}
          >
            <Text style={s.label}>{t(`visibility.${v}`)}</Text>
            <Text style={s.muted}>{t(`wizard.visibility_${v}`)}</Text>
          </Pressable>
        ))}
        <View style={s.row}>
          <Switch
            value={form.joinApproval}
            onValueChange={(v) => set('joinApproval', v)}
            accessibilityLabel={t('settings.join_approval')}
            testID="wizard-approval"
          />
          <Text style={s.text}>{t('settings.join_approval')}</Text>
        </View>
      </>
    );
  if (step === 'roles')
    body = (
      <>
        <Text style={s.muted}>{t('wizard.roles_hint')}</Text>
        {WIZARD_ROLE_SLUGS.map((role) => (
          <View key={role} style={{ gap: 6 }}>
            <Text style={s.label}>{t(`membership.role_${role}`)}</Text>
            <View style={s.row}>
              {COMMUNITY_PERMISSIONS.map((p) => {
                const on = form.roles[role]!.includes(p);
                return (
                  <Pressable
                    key={p}
                    style={[s.option, { padding: 6 }, on && s.optionOn]}
                    accessibilityRole="checkbox"
                    accessibilityState={{ checked: on }}
                    onPress={() =>
                      set('roles', { ...form.roles, [role]: on ? form.roles[role]!.filter((x) => x !== p) : [...form.roles[role]!, p] })
                    }
                    testID={`perm-${role}-${p}`}
                  >
                    <Text style={s.muted}>{t(`roles.perm_${p}`)}</Text>
                  </Pressable>
                );
              })}
            </View>
          </View>
        ))}
      </>
    );
  if (step === 'channels')
    body = (
      <>
        {form.channels.map((c, i) => (
          <View key={i} style={{ gap: 4 }}>
            <View style={s.row}>
              <TextInput
                style={[s.input, { flex: 1 }]}
                value={c.name}
                accessibilityLabel={t('wizard.channel_name', { n: i + 1 })}
                onChangeText={(v) =>
                  set(
                    'channels',
                    form.channels.map((x, j) => (j === i ? { ...x, name: v } : x)),
                  )
                }
                testID={`wizard-channel-${i}`}
              />
              <Button
                variant="secondary"
                label={t('wizard.remove')}
                disabled={form.channels.length <= 1}
                onPress={() =>
                  set(
                    'channels',
                    form.channels.filter((_, j) => j !== i),
                  )
                }
                testID={`wizard-channel-remove-${i}`}
              />
            </View>
            {err(`channels.${i}.name`)}
          </View>
        ))}
        <Button
          variant="secondary"
          label={t('wizard.add_channel')}
          onPress={() => set('channels', [...form.channels, { name: '', type: 'text' }])}
          testID="wizard-add-channel"
        />
      </>
    );
  if (step === 'pricing')
    body = (
      <>
        <Text style={s.muted}>{t('wizard.pricing_hint')}</Text>
        {form.tiers.map((x, i) => (
          <View key={i} style={s.row}>
            <TextInput
              style={[s.input, { flex: 1 }]}
              value={x.name}
              accessibilityLabel={t('wizard.tier_name', { n: i + 1 })}
              onChangeText={(v) =>
                set(
                  'tiers',
                  form.tiers.map((y, j) => (j === i ? { ...y, name: v } : y)),
                )
              }
            />
            <TextInput
              style={[s.input, { width: 90 }]}
              value={x.price}
              keyboardType="decimal-pad"
              accessibilityLabel={t('wizard.tier_price', { n: i + 1 })}
              onChangeText={(v) =>
                set(
                  'tiers',
                  form.tiers.map((y, j) => (j === i ? { ...y, price: v } : y)),
                )
              }
            />
          </View>
        ))}
        <Button
          variant="secondary"
          label={t('wizard.add_tier')}
          onPress={() => set('tiers', [...form.tiers, { name: '', price: '0', interval: 'monthly' }])}
        />
      </>
    );
  if (step === 'courses') body = <CoursesStep form={form} set={set} err={err} />;
  if (step === 'review')
    body = (
      <View style={{ gap: 6 }} testID="wizard-review">
        <Text style={s.label}>{form.name}</Text>
        <Text style={s.muted}>{form.slug}</Text>
        <Text style={s.text}>{t(`visibility.${form.visibility}`)}</Text>
        <Text style={s.text}>{form.channels.map((c) => c.name).join(', ')}</Text>
        {form.courses.length ? (
          <Text style={s.text}>{form.courses.map((c) => t('wizard.course_row', { id: c.course_id })).join(', ')}</Text>
        ) : null}
        {Object.entries(errors).map(([k, v]) => (
          <Text key={k} style={s.error}>
            {v}
          </Text>
        ))}
      </View>
    );

  const index = steps.indexOf(step);
  return (
    <Screen name="communities.create" params={{ step }} testID="create-community">
      <ScrollView contentContainerStyle={s.body} keyboardShouldPersistTaps="handled" testID={`wizard-step-${step}`}>
        <Text style={s.progress}>{t('wizard.step_of', { n: index + 1, total: steps.length })}</Text>
        <Text style={s.title} accessibilityRole="header">
          {t(`wizard.step_${step}`)}
        </Text>
        {body}
        {general ? <Text style={s.error}>{general}</Text> : null}
      </ScrollView>
      <View style={s.actions}>
        {stack.length > 1 ? (
          <Button
            variant="secondary"
            label={t('wizard.back')}
            disabled={busy}
            onPress={() => setStack((st) => st.slice(0, -1))}
            testID="wizard-back"
          />
        ) : (
          <View />
        )}
        <Button
          label={index === steps.length - 1 ? t('wizard.publish') : t('wizard.next')}
          busy={busy}
          disabled={busy}
          onPress={() => void goNext()}
          testID="wizard-next"
        />
      </View>
    </Screen>
  );
}

/** Linked courses, picked from those the creator teaches (admins search any course). */
function CoursesStep({
  form,
  set,
  err,
}: {
  form: WizardForm;
  set: <K extends keyof WizardForm>(k: K, v: WizardForm[K]) => void;
  err: (field: string) => ReactNode;
}) {
  const { t } = useTranslation();
  const s = useStyles(make);
  const [q, setQ] = useState('');
  const courses = useWizardCoursesQuery(q);
  const found = courses.data?.items ?? [];
  const title = (c: WizardForm['courses'][number]) =>
    c.title ?? found.find((x) => x.id === c.course_id && x.type === c.course_type)?.title ?? t('wizard.course_row', { id: c.course_id });
  const linked = (id: number, type: string) => form.courses.some((c) => c.course_id === id && c.course_type === type);
  return (
    <>
      <Text style={s.muted}>{t('wizard.courses_hint')}</Text>
      {form.courses.map((c, i) => (
        <View key={`${c.course_type}-${c.course_id}`} style={{ gap: 4 }} testID={`wizard-linked-${c.course_id}`}>
          <View style={s.row}>
            <Text style={[s.text, { flex: 1 }]}>{title(c)}</Text>
            <Switch
              value={c.auto_join}
              accessibilityLabel={t('wizard.auto_join')}
              onValueChange={(v) =>
                set(
                  'courses',
                  form.courses.map((x, j) => (j === i ? { ...x, auto_join: v } : x)),
                )
              }
              testID={`wizard-auto-join-${c.course_id}`}
            />
            <Button
              variant="secondary"
              label={t('wizard.remove')}
              onPress={() =>
                set(
                  'courses',
                  form.courses.filter((_, j) => j !== i),
                )
              }
              testID={`wizard-course-remove-${c.course_id}`}
            />
          </View>
          {err(`links.${i}.course_id`)}
        </View>
      ))}
      <TextInput
        style={s.input}
        value={q}
        onChangeText={setQ}
        accessibilityLabel={t('wizard.course_search')}
        placeholder={t('wizard.course_search')}
        testID="wizard-course-search"
      />
      {courses.isSuccess && found.length === 0 ? (
        <Text style={s.muted}>{q.trim() ? t('wizard.course_none_found') : t('wizard.course_none_taught')}</Text>
      ) : null}
      {found.map((c) => (
        <View key={`${c.type}-${c.id}`} style={s.row} testID={`wizard-course-${c.id}`}>
          <Text style={[s.text, { flex: 1 }]}>
            {c.title} <Text style={s.muted}>{t(`wizard.course_type_${c.type}`)}</Text>
          </Text>
          <Button
            variant="secondary"
            label={linked(c.id, c.type) ? t('wizard.course_linked') : t('wizard.link_course')}
            accessibilityLabel={t('wizard.link_named', { title: c.title })}
            disabled={linked(c.id, c.type) || form.courses.length >= 50}
            onPress={() =>
              set('courses', [
                ...form.courses,
                { course_id: c.id, course_type: c.type, link_type: 'primary', auto_join: true, title: c.title },
              ])
            }
            testID={`wizard-link-${c.id}`}
          />
        </View>
      ))}
    </>
  );
}
