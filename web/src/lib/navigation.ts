const DEFAULT_AFTER_LOGIN = '/projects';

/**
 * Where to go after signing in. Only same-origin paths are accepted, so a crafted link such as
 * `/login?next=//evil.example` cannot bounce a fresh session to another site.
 */
export function safeNext(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return DEFAULT_AFTER_LOGIN;
  if (/^\/(login|register)(\/|\?|#|$)/.test(raw)) return DEFAULT_AFTER_LOGIN;
  return raw;
}

/** The sign-in page, remembering where the user was going. */
export function loginHref(url: URL): string {
  const next = url.pathname + url.search;
  return next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
}
