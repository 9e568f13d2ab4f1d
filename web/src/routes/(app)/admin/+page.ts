import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { auth } from '$lib/auth.svelte';
import type { PageLoad } from './$types';

/** The first admin page this user may open; the audit page explains when there is none. */
export const load: PageLoad = async () => {
  await auth.restore();
  if (auth.can('user:manage')) redirect(307, resolve('/admin/users'));
  if (auth.can('worker:manage')) redirect(307, resolve('/admin/workers'));
  redirect(307, resolve('/admin/audit'));
};
