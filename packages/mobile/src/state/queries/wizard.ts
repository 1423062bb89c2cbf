import { wizardKeys } from '@communities/client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';

import { useAddon } from '../../context';
import { useDebounced } from '../../lib/use-debounced';

/** Courses the creator may link in the wizard: those they teach (admins search any course). */
export function useWizardCoursesQuery(q: string) {
  const { api } = useAddon();
  const settled = useDebounced(q.trim(), 250);
  return useQuery({
    queryKey: wizardKeys.courses(settled),
    queryFn: ({ signal }) => api.communities.wizardCourses({ query: settled ? { q: settled } : {} }, { signal }),
    placeholderData: keepPreviousData,
  });
}
