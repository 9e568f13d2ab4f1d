import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { PageArgs } from '../../graphql/pagination.js';

@InputType()
export class UpdateProfileInput {
  @Field(() => String, { nullable: true })
  displayName?: string | null;

  @Field(() => String, { nullable: true, description: '`en` or `zh-CN`' })
  locale?: string | null;
}

@InputType()
export class ChangePasswordInput {
  @Field(() => String)
  currentPassword!: string;

  @Field(() => String, { description: 'At least 10 characters, at most 256 bytes' })
  newPassword!: string;

  @Field(() => Boolean, { nullable: true, description: 'Also revoke all your API tokens (other sessions always end)' })
  revokeApiTokens?: boolean | null;
}

@InputType()
export class CreateUserInput {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => String)
  password!: string;

  @Field(() => [String], { nullable: true, description: 'Role names; default DEFAULT_ROLE (VIEWER unless configured)' })
  roles?: string[] | null;
}

@InputType()
export class SetUserRolesInput {
  @Field(() => ID)
  userId!: string;

  @Field(() => [String], { description: 'Role names, replacing the current ones' })
  roles!: string[];
}

@ArgsType()
export class UsersArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Matches email or display name' })
  search?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Only disabled (true) or only active (false) users' })
  disabled?: boolean | null;
}
