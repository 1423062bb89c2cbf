import { useMemo } from 'react';

import { adminSections, ADMIN_PERMISSION_NAMES } from '../../lib/admin';
import { ADMIN_ANALYTICS } from './analytics';
import type { AdminSection } from '../../lib/router';
import { useFeatures, useMe } from '../../state/session';

/** The viewer's admin permissions as the server states them, and the sections they open. */
export function useAdminAccess(): { loading: boolean; permissions: string[]; sections: AdminSection[] } {
  const me = useMe();
  const features = useFeatures();
  const permissions = useMemo(() => {
    const m = me.data as (typeof me.data & { admin_permissions?: string[] }) | undefined;
    if (!m) return [];
    return m.admin_permissions ?? (m.is_admin ? [...ADMIN_PERMISSION_NAMES] : []);
  }, [me.data]);
  const f = features.data?.features as Record<string, boolean> | undefined;
  const sections = adminSections(permissions, {
    gamification: f?.gamification !== false,
    analytics: ADMIN_ANALYTICS !== null && f?.heatmap === true,
  });
  return { loading: me.isLoading || features.isLoading, permissions, sections };
}
