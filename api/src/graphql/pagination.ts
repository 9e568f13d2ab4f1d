import type { EntityManager, FilterQuery, QueryOrderMap } from '@mikro-orm/postgresql';
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { badInput } from '../errors.js';

/** Every list is a cursor-paginated connection: no unbounded lists. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 20, description: 'Page size, 1 to 100' })
  first: number = 20;

  @Field(() => String, { nullable: true, description: 'The `pageInfo.endCursor` of the previous page' })
  after?: string | null;
}

@ObjectType()
export class PageInfo {
  @Field(() => String, { nullable: true })
  endCursor!: string | null;

  @Field(() => Boolean)
  hasNextPage!: boolean;
}

export interface ConnectionShape<T> {
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Builds `<Name>Connection { nodes, pageInfo, totalCount }` for an object type. */
export function Connection<T extends object>(node: ClassType<T>) {
  @ObjectType()
  abstract class ConnectionClass implements ConnectionShape<T> {
    @Field(() => [node])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Items matching the filter, over all pages' })
    totalCount!: number;
  }
  return ConnectionClass;
}

/** Keyset pagination through MikroORM's cursor API; validates page size and cursor. */
export async function paginate<T extends object>(
  em: EntityManager,
  entity: ClassType<T>,
  where: FilterQuery<T>,
  orderBy: QueryOrderMap<T>,
  page: PageArgs,
  populate?: string[],
): Promise<ConnectionShape<T>> {
  if (!Number.isInteger(page.first) || page.first < 1 || page.first > 100) {
    throw badInput('first', 'must be between 1 and 100');
  }
  let cursor;
  try {
    cursor = await em.findByCursor(entity, {
      where,
      orderBy,
      first: page.first,
      after: page.after ?? undefined,
      populate: populate as never,
    } as never);
  } catch (error) {
    if (page.after && /cursor/i.test(String((error as Error).message))) {
      throw badInput('after', 'is not a cursor this list gave out');
    }
    throw error;
  }
  return {
    nodes: [...cursor.items] as T[],
    pageInfo: { endCursor: cursor.endCursor, hasNextPage: cursor.hasNextPage },
    totalCount: cursor.totalCount as number,
  };
}

/** An ILIKE pattern that matches `search` anywhere, with % and _ taken literally. */
export const containsPattern = (search: string) => `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
