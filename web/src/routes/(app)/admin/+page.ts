import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { auth } from '$lib/auth.svelte';
import type { PageLoad } from './$types';

/** The first admin page this user may open; the audit page explains when there is none. */
export const load: PageLoad = async () => {
  await auth.restore();
  redirect(307, auth.can('user:manage') ? resolve('/admin/users') : resolve('/admin/audit'));
};
