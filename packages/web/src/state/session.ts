import { ApiError } from '@communities/client';

export { useFeaturesQuery as useFeatures, useMeQuery as useMe } from './queries/system';

export const isStatus = (error: unknown, status: number): boolean => error instanceof ApiError && error.status === status;
export const isNetwork = (error: unknown): boolean => error instanceof ApiError && error.isNetwork;
