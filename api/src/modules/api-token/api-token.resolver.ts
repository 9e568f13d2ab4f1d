import { Arg, Args, Ctx, ID, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { Connection, PageArgs } from '../../graphql/pagination.js';
import { CreateApiTokenInput, CreatedApiToken } from './api-token.inputs.js';
import { ApiToken } from './api-token.entity.js';

@ObjectType()
class ApiTokenConnection extends Connection(ApiToken) {}

@Resolver(() => ApiToken)
export class ApiTokenResolver {
  @Query(() => ApiTokenConnection, { description: "The signed-in user's tokens, newest first" })
  apiTokens(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return ctx.services.apiTokens.listMine(page);
  }

  @Mutation(() => CreatedApiToken)
  createApiToken(@Arg('input', () => CreateApiTokenInput) input: CreateApiTokenInput, @Ctx() ctx: Context) {
    return ctx.services.apiTokens.create(input);
  }

  @Mutation(() => ApiToken)
  revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.apiTokens.revoke(id);
  }
}
