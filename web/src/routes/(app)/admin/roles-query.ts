import { query } from '$lib/graphql/client';
import { RolesDocument, type RoleFieldsFragment, type RolesQuery } from '$lib/graphql/generated/graphql';

/** All roles (the API allows 100 a page; an installation has a handful). */
export async function fetchAllRoles(): Promise<RoleFieldsFragment[]> {
  const roles: RoleFieldsFragment[] = [];
  let after: string | null = null;
  for (;;) {
    const data: RolesQuery = await query(RolesDocument, { first: 100, after });
    roles.push(...data.roles.nodes);
    if (!data.roles.pageInfo.hasNextPage || !data.roles.pageInfo.endCursor) return roles;
    after = data.roles.pageInfo.endCursor;
  }
}
