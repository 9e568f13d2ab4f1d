/**
 * Where to go after signing in, or null for the default page. Only same-origin paths pass, so a
 * crafted link such as `/login?next=//evil.example` cannot bounce a fresh session to another site.
 * A path that passes came from this site's own address bar, base path included.
 */
export function safeNext(raw: string | null | undefined): string | null {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return null;
  if (/^\/(login|register)(\/|\?|#|$)/.test(raw)) return null;
  return raw;
}

/** The current page as a `next` query value for the sign-in page. */
export function nextParam(url: URL): string {
  return encodeURIComponent(url.pathname + url.search);
}
