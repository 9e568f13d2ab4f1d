import { Field, InputType } from 'type-graphql';

@InputType()
export class CreateRoleInput {
  @Field(() => String, { description: 'UPPER_SNAKE_CASE, 2 to 64 characters' })
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String], { description: 'Permission names from the catalogue' })
  permissions!: string[];
}
