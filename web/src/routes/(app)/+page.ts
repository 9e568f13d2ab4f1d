import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import type { PageLoad } from './$types';

/** No dashboard yet: projects are where work starts. */
export const load: PageLoad = () => {
  redirect(307, resolve('/projects'));
};
