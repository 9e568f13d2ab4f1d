import { ArgsType, Field, InputType, Int, ObjectType } from 'type-graphql';
import { PageArgs } from '../../graphql/pagination.js';
import { Invite } from './invite.entity.js';

@InputType()
export class CreateInviteInput {
  @Field(() => String, { nullable: true, description: 'Global role of the new account; default DEFAULT_ROLE' })
  role?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this email may use the invite; null for anyone' })
  email?: string | null;

  @Field(() => Int, { nullable: true, description: 'Hours until it expires, 1 to 2160; default INVITE_TTL_HOURS' })
  expiresInHours?: number | null;
}

@ObjectType()
export class CreatedInvite {
  @Field(() => String, { description: 'The secret. Shown this once; pass it to register as inviteToken.' })
  token!: string;

  @Field(() => String, { description: 'Web path that opens registration with this invite, e.g. /register?invite=…' })
  path!: string;

  @Field(() => Invite)
  invite!: Invite;
}

@ArgsType()
export class InvitesArgs extends PageArgs {
  @Field(() => Boolean, { nullable: true, description: 'Also list used, revoked and expired invites' })
  includeInactive?: boolean | null;
}
