import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { auth } from '$lib/auth.svelte';
import { nextParam } from '$lib/navigation';
import type { LayoutLoad } from './$types';

/** Every page in this group needs a session. */
export const load: LayoutLoad = async ({ url }) => {
  await auth.restore();
  if (!auth.user) redirect(307, resolve(`/login?next=${nextParam(url)}`));
};
