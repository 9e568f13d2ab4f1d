import { Arg, Args, Ctx, ObjectType, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { Connection, PageArgs } from '../../graphql/pagination.js';
import { AuditEvent } from './audit-event.entity.js';
import { AuditFilter } from './audit.inputs.js';

@ObjectType()
class AuditEventConnection extends Connection(AuditEvent) {}

@Resolver(() => AuditEvent)
export class AuditResolver {
  @Query(() => AuditEventConnection, { description: 'Newest first. Needs audit:read.' })
  auditEvents(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('filter', () => AuditFilter, { nullable: true }) filter: AuditFilter | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.audit.list(filter ?? {}, page);
  }
}
