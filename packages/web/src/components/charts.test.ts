import { describe, expect, it } from 'vitest';

import { niceMax } from './charts';

describe('niceMax', () => {
  it('rounds the y axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 2, 3, 7, 10, 11, 26, 480, 501].map(niceMax)).toEqual([1, 1, 2, 5, 10, 10, 20, 50, 500, 1000]);
  });
});
