import { useMemo } from 'react';

import { adminSections } from '../../lib/admin';
import { ADMIN_ANALYTICS } from './analytics';
import type { AdminSection } from '../../lib/router';
import { useFeatures, useMe } from '../../state/session';

/** The viewer's admin permissions as the server states them, and the sections they open. */
export function useAdminAccess(): { loading: boolean; permissions: string[]; sections: AdminSection[] } {
  const me = useMe();
  const features = useFeatures();
  const permissions = useMemo(() => me.data?.admin_permissions ?? [], [me.data]);
  const f = features.data?.features;
  const sections = adminSections(permissions, {
    gamification: f?.gamification !== false,
    analytics: ADMIN_ANALYTICS !== null && f?.heatmap === true,
  });
  return { loading: me.isLoading || features.isLoading, permissions, sections };
}
