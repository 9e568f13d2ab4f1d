import { Arg, Args, Ctx, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { Connection, PageArgs } from '../../graphql/pagination.js';
import { CreateRoleInput } from './role.inputs.js';
import { Role } from './role.entity.js';

@ObjectType()
class RoleConnection extends Connection(Role) {}

@Resolver(() => Role)
export class RoleResolver {
  @Query(() => RoleConnection)
  roles(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return ctx.services.roles.list(page);
  }

  @Mutation(() => Role, { description: 'Needs user:manage' })
  createRole(@Arg('input', () => CreateRoleInput) input: CreateRoleInput, @Ctx() ctx: Context) {
    return ctx.services.roles.create(input);
  }
}
