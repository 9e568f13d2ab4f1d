import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { ApiToken } from './api-token.entity.js';

@InputType()
export class CreateApiTokenInput {
  @Field(() => String)
  name!: string;

  @Field(() => [String], { description: 'Permissions the token carries: a subset of your own' })
  scopes!: string[];

  @Field(() => Int, { nullable: true, description: 'Days until it expires, 1 to 365; null for no expiry' })
  expiresInDays?: number | null;
}

@ObjectType()
export class CreatedApiToken {
  @Field(() => String, { description: 'The secret. Shown this once; store it now.' })
  token!: string;

  @Field(() => ApiToken)
  apiToken!: ApiToken;
}
