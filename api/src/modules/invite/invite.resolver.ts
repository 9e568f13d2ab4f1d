import { Arg, Args, Ctx, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { Connection } from '../../graphql/pagination.js';
import { Role } from '../role/role.entity.js';
import { Invite } from './invite.entity.js';
import { CreatedInvite, CreateInviteInput, InvitesArgs } from './invite.inputs.js';

@ObjectType()
class InviteConnection extends Connection(Invite) {}

@Resolver(() => Invite)
export class InviteResolver {
  @Query(() => InviteConnection, { description: 'Needs user:manage. Open invites, newest first' })
  invites(@Args(() => InvitesArgs) args: InvitesArgs, @Ctx() ctx: Context) {
    return ctx.services.invites.list(args);
  }

  @Mutation(() => CreatedInvite, { description: 'Needs user:manage. A single-use registration link with a role' })
  createInvite(@Arg('input', () => CreateInviteInput) input: CreateInviteInput, @Ctx() ctx: Context) {
    return ctx.services.invites.create(input);
  }

  @Mutation(() => Invite, { description: 'Needs user:manage' })
  revokeInvite(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.invites.revoke(id);
  }

  @FieldResolver(() => Role)
  role(@Root() invite: Invite, @Ctx() ctx: Context) {
    // Roles are few and already in the identity map after the first one.
    return ctx.em.findOneOrFail(Role, { id: invite.role.id });
  }
}
