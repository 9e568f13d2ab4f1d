import { describe, expect, it } from 'vitest';
import { nextParam, safeNext } from './navigation';

describe('safeNext', () => {
  it('keeps same-origin paths', () => {
    expect(safeNext('/projects/42?tab=members')).toBe('/projects/42?tab=members');
  });

  it.each(['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '', null])(
    'refuses %s, which could leave the site',
    (raw) => {
      expect(safeNext(raw)).toBeNull();
    },
  );

  it('does not loop back to the sign-in pages', () => {
    expect(safeNext('/login?next=/x')).toBeNull();
    expect(safeNext('/register')).toBeNull();
  });
});

describe('nextParam', () => {
  it('remembers the path and query', () => {
    expect(nextParam(new URL('http://h/admin/users?q=a'))).toBe('%2Fadmin%2Fusers%3Fq%3Da');
  });
});
