import { Arg, Args, Ctx, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { Connection } from '../../graphql/pagination.js';
import { Role } from '../role/role.entity.js';
import {
  ChangePasswordInput,
  CreateUserInput,
  SetUserRolesInput,
  UpdateProfileInput,
  UsersArgs,
} from './user.inputs.js';
import { User } from './user.entity.js';

@ObjectType()
class UserConnection extends Connection(User) {}

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { description: 'The signed-in user' })
  me(@Ctx() ctx: Context) {
    return ctx.services.users.me();
  }

  @Query(() => UserConnection, { description: 'Needs user:manage' })
  users(@Args(() => UsersArgs) args: UsersArgs, @Ctx() ctx: Context) {
    return ctx.services.users.list(args);
  }

  @Query(() => User, { description: 'Needs user:manage' })
  user(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.users.get(id);
  }

  @Mutation(() => User)
  updateProfile(@Arg('input', () => UpdateProfileInput) input: UpdateProfileInput, @Ctx() ctx: Context) {
    return ctx.services.users.updateProfile(input);
  }

  @Mutation(() => Boolean, {
    description: 'Ends every other session of the user; with revokeApiTokens, revokes their API tokens too',
  })
  changePassword(@Arg('input', () => ChangePasswordInput) input: ChangePasswordInput, @Ctx() ctx: Context) {
    return ctx.services.users.changePassword(input);
  }

  @Mutation(() => User, { description: 'Needs user:manage' })
  createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: Context) {
    return ctx.services.users.create(input);
  }

  @Mutation(() => User, { description: 'Needs user:manage' })
  setUserRoles(@Arg('input', () => SetUserRolesInput) input: SetUserRolesInput, @Ctx() ctx: Context) {
    return ctx.services.users.setRoles(input);
  }

  @Mutation(() => User, { description: "Needs user:manage. Ends the user's sessions and tokens at once." })
  disableUser(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.users.setDisabled(id, true);
  }

  @Mutation(() => User, { description: 'Needs user:manage' })
  enableUser(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.users.setDisabled(id, false);
  }

  @FieldResolver(() => [Role])
  roles(@Root() user: User, @Ctx() ctx: Context) {
    return ctx.loaders.rolesByUser.load(user.id);
  }

  @FieldResolver(() => [String], { description: 'Effective permissions of the signed-in user (empty for others)' })
  async permissions(@Root() user: User, @Ctx() ctx: Context) {
    if (user.id === ctx.viewer?.user.id) return [...ctx.viewer.permissions].sort();
    if (user.id !== ctx.signedIn.userId) return [];
    const roles = await ctx.loaders.rolesByUser.load(user.id);
    return [...new Set(roles.flatMap((r) => r.permissions))].sort();
  }
}
