import { Field, ID, InputType } from 'type-graphql';

@InputType()
export class AuditFilter {
  @Field(() => String, { nullable: true, description: 'Exact action, e.g. `auth.login`' })
  action?: string | null;

  @Field(() => ID, { nullable: true })
  actorId?: string | null;

  @Field(() => String, { nullable: true })
  targetId?: string | null;

  @Field(() => Boolean, { nullable: true })
  success?: boolean | null;

  @Field(() => Date, { nullable: true, description: 'Inclusive lower bound' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Exclusive upper bound' })
  to?: Date | null;
}
