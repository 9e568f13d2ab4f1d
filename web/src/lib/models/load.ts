import { query } from '$lib/graphql/client';
import { BaseModelsDocument } from '$lib/graphql/generated/graphql';
import type { BaseModel } from './catalog';

/** The API caps a page at 100; the catalogue is a short fixed list. */
const PAGE = 100;
let all: Promise<BaseModel[]> | null = null;

/**
 * The whole catalogue, fetched once per page load: it is fixed on the server, and the template
 * preview and planner ask for it often. A failure is not kept, so the next caller tries again.
 */
export function loadBaseModels(): Promise<BaseModel[]> {
  all ??= query(BaseModelsDocument, { first: PAGE, family: null }).then(
    (data) => data.baseModels.nodes,
    (error: unknown) => {
      all = null;
      throw error;
    },
  );
  return all;
}

/** One family, filtered by the API. */
export async function loadFamily(family: string): Promise<BaseModel[]> {
  return (await query(BaseModelsDocument, { first: PAGE, family })).baseModels.nodes;
}
