import { ApiError, isSlugShaped } from '@communities/client';
import { endpoints, type Attachment, type Me } from '@communities/contract';
import { useEffect, useState } from 'react';

import { api } from '../../api';

export { DEFAULT_WIZARD, draftStorageKey, fieldErrors, fromDraft, slugFromName, wizardBodies, type WizardForm } from '@communities/client';

/** Uploads a community icon or cover; it is scanned before anyone else can see it. */
export function uploadCommunityImage(file: File, purpose: 'community_icon' | 'community_cover'): Promise<Attachment> {
  const body = new FormData();
  body.append('file', file, file.name);
  return api.call(endpoints.uploads.upload, { query: { purpose }, body } as never);
}

export type SlugState = 'idle' | 'checking' | 'free' | 'taken' | 'invalid';

/**
 * The slug checked as it is typed (debounced): a community answering at that address means it
 * is taken (the user's own draft aside). Addresses the caller cannot see (hidden communities,
 * reserved words) are caught when the step is saved, as a field error on the slug.
 */
export function useSlugCheck(slug: string, draftId: number | null): SlugState {
  const [state, setState] = useState<SlugState>('idle');
  useEffect(() => {
    if (!slug) return setState('idle');
    if (!isSlugShaped(slug)) return setState('invalid');
    setState('checking');
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      api.communities.get({ params: { id: slug } }, { signal: ctl.signal }).then(
        (c) => setState(c.id === draftId ? 'free' : 'taken'),
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
  }, [slug, draftId]);
  return state;
}

/**
 * Whether to offer "Create community": the server's own answer when it gives one, else the
 * default rule (admins and instructors); the server still decides when the wizard starts.
 */
export function canCreateCommunity(me: Me & { can_create_community?: boolean }): boolean {
  return me.can_create_community ?? (me.is_admin || me.global_role === 'instructor');
}
