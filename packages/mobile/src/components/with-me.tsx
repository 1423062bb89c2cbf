import type { ReactNode } from 'react';

import { useAddon } from '../context';
import { useMeQuery } from '../state/queries/system';

import { ErrorState, Loading } from './states';

/** For screens that name things by "the others" or mark "You:": they wait for the signed-in user. */
export function WithMe({ children }: { children: ReactNode }) {
  const { api } = useAddon();
  const me = useMeQuery(api, true);
  if (me.status === 'pending') return <Loading />;
  if (me.status === 'error') return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  return children;
}
