import { auth } from '$lib/auth.svelte';
import { applyAccountLocale, setupI18n } from '$lib/i18n';
import { theme } from '$lib/theme.svelte';
import type { LayoutLoad } from './$types';

// Everything comes from the API in the browser with an in-memory token; the server only
// serves the shell. Nothing is prerendered because every page needs the session.
export const ssr = false;
export const prerender = false;

export const load: LayoutLoad = async () => {
  setupI18n();
  theme.init();
  await auth.restore();
  applyAccountLocale(auth.user?.locale);
};
