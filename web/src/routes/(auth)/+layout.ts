import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { auth } from '$lib/auth.svelte';
import { safeNext } from '$lib/navigation';
import type { LayoutLoad } from './$types';

/** Someone already signed in has no business on the sign-in pages. */
export const load: LayoutLoad = async ({ url }) => {
  await auth.restore();
  if (auth.user) redirect(307, safeNext(url.searchParams.get('next')) ?? resolve('/projects'));
};
