import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from '../../context.js';
import { paginate, type PageArgs } from '../../graphql/pagination.js';
import { AuditEvent } from './audit-event.entity.js';
import type { AuditFilter } from './audit.inputs.js';

export interface AuditEntry {
  action: string;
  success?: boolean;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  /** Defaults to the viewer. */
  actor?: { id: string | null; email: string } | null;
}

export class AuditService {
  constructor(private readonly ctx: Context) {}

  /** Queues an event in `em`'s unit of work, so it commits (or not) with the change it records. */
  record(entry: AuditEntry, em: EntityManager = this.ctx.em): void {
    const actor = entry.actor === undefined ? this.ctx.viewer?.user : entry.actor;
    const event = Object.assign(new AuditEvent(), {
      action: entry.action,
      success: entry.success ?? true,
      actorId: actor?.id ?? null,
      actorEmail: actor?.email ?? null,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      ip: this.ctx.ip,
      details: {
        ...(entry.details ?? {}),
        ...(this.ctx.viewer?.apiTokenId ? { apiTokenId: this.ctx.viewer.apiTokenId } : {}),
      },
    });
    em.persist(event);
  }

  /** Records and writes at once: for events with no surrounding change (failed logins). */
  async recordNow(entry: AuditEntry): Promise<void> {
    const em = this.ctx.em.fork();
    this.record(entry, em);
    await em.flush();
  }

  list(filter: AuditFilter, page: PageArgs) {
    const where: Record<string, unknown> = {};
    if (filter.action) where.action = filter.action;
    if (filter.actorId) where.actorId = filter.actorId;
    if (filter.targetId) where.targetId = filter.targetId;
    if (filter.success !== undefined && filter.success !== null) where.success = filter.success;
    if (filter.from || filter.to) {
      where.at = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
    }
    return paginate(this.ctx.em, AuditEvent, where, { at: 'desc', id: 'desc' }, page);
  }
}
