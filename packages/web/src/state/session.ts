import { ApiError } from '@communities/client';
import { useQuery } from '@tanstack/react-query';

import { api } from '../api';

/** Who is signed in (a 401 means nobody: no retry) and what the server switched on. */
export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: () => api.system.me(),
    retry: (count, error) => !(error instanceof ApiError && error.status === 401) && count < 1,
    staleTime: 5 * 60_000,
  });
}

export function useFeatures() {
  return useQuery({ queryKey: ['features'], queryFn: () => api.system.features(), staleTime: 5 * 60_000 });
}

export const isStatus = (error: unknown, status: number): boolean => error instanceof ApiError && error.status === status;
export const isNetwork = (error: unknown): boolean => error instanceof ApiError && error.isNetwork;
