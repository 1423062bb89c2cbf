import { describe, expect, it } from 'vitest';

import { resumeScreen } from './wizard';

const SCREENS = ['basics', 'images', 'visibility', 'roles', 'channels', 'courses', 'review'] as const;
const API = {
  basics: 'basics',
  images: 'basics',
  visibility: 'visibility',
  roles: 'visibility',
  channels: 'channels',
  courses: 'courses',
  review: null,
} as const;
const at = (completed: string[]) => resumeScreen(SCREENS, (s) => API[s], completed);

describe('resumeScreen', () => {
  it('reopens at the first screen whose step is not saved, skipping screens that ride on a saved one', () => {
    expect(at([])).toBe('basics');
    expect(at(['basics'])).toBe('visibility');
    expect(at(['basics', 'visibility'])).toBe('channels');
    expect(at(['basics', 'channels'])).toBe('visibility');
  });
  it('lands on the review once every step is saved', () => {
    expect(at(['basics', 'visibility', 'channels', 'courses'])).toBe('review');
  });
});
