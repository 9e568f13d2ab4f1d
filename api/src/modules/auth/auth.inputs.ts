import { Field, InputType, ObjectType } from 'type-graphql';
import { User } from '../user/user.entity.js';

@InputType()
export class RegisterInput {
  @Field(() => String)
  email!: string;

  @Field(() => String, { description: 'At least 10 characters, at most 256 bytes' })
  password!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => String, { nullable: true, description: '`en` or `zh-CN`' })
  locale?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "An admin's invite (createInvite). Required when REGISTRATION=invite; grants the invite's role",
  })
  inviteToken?: string | null;
}

@InputType()
export class LoginInput {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  password!: string;
}

@InputType()
export class RefreshTokenInput {
  @Field(() => String, {
    nullable: true,
    description: 'The refresh token; browsers leave it out and send the httpOnly cookie instead',
  })
  refreshToken?: string | null;
}

@ObjectType()
export class AuthPayload {
  @Field(() => String, { description: 'Short-lived JWT for `Authorization: Bearer`' })
  accessToken!: string;

  @Field(() => String, { description: 'Opaque, single use: each refresh returns a new one' })
  refreshToken!: string;

  @Field(() => Date, { description: 'When the access token expires' })
  expiresAt!: Date;

  @Field(() => User)
  user!: User;
}
