import { ApiError, isSlugShaped, wizardKeys } from '@communities/client';
import { endpoints, type Attachment, type Me } from '@communities/contract';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

import { api } from '../../api';

export {
  DEFAULT_WIZARD,
  draftStorageKey,
  fieldErrors,
  fromDraft,
  resumeScreen,
  slugFromName,
  wizardBodies,
  type WizardForm,
} from '@communities/client';

export type DraftSummary = Awaited<ReturnType<typeof api.communities.wizardDrafts>>['items'][number];

/** Courses the creator may link (those they teach; admins search any), for the wizard's picker. */
export function useWizardCoursesQuery(q: string) {
  const [debounced, setDebounced] = useState(q);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(q), 250);
    return () => clearTimeout(timer);
  }, [q]);
  return useQuery({
    queryKey: wizardKeys.courses(debounced),
    queryFn: ({ signal }) => api.communities.wizardCourses({ query: debounced ? { q: debounced } : {} }, { signal }),
    placeholderData: keepPreviousData,
  });
}

/** Uploads a community icon or cover; it is scanned before anyone else can see it. */
export function uploadCommunityImage(file: File, purpose: 'community_icon' | 'community_cover'): Promise<Attachment> {
  const body = new FormData();
  body.append('file', file, file.name);
  return api.call(endpoints.uploads.upload, { query: { purpose }, body } as never);
}

export type SlugState = 'idle' | 'checking' | 'free' | 'taken' | 'invalid';

/**
 * The slug checked as it is typed (debounced) by the server's availability check (taken, hidden
 * and reserved answer alike); the user's own draft's slug counts as free.
 */
export function useSlugCheck(slug: string, ownSlug: string | null): SlugState {
  const [state, setState] = useState<SlugState>('idle');
  useEffect(() => {
    if (!slug) return setState('idle');
    if (!isSlugShaped(slug)) return setState('invalid');
    setState('checking');
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      api.communities.slugAvailability({ query: { slug } }, { signal: ctl.signal }).then(
        (r) => setState(r.available || r.slug === ownSlug ? 'free' : r.reason === 'invalid' ? 'invalid' : 'taken'),
        (e: unknown) => {
          if (ctl.signal.aborted) return;
          setState(e instanceof ApiError && e.status === 404 ? 'free' : 'idle');
        },
      );
    }, 350);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [slug, ownSlug]);
  return state;
}

/** Whether to offer "Create community": the server's answer (admins and the configured host roles). */
export function canCreateCommunity(me: Me): boolean {
  return me.can_create_community;
}
