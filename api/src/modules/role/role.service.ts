import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { conflict } from '../../errors.js';
import { paginate, type PageArgs } from '../../graphql/pagination.js';
import { validate } from '../../graphql/validate.js';
import { ALL_PERMISSIONS, BUILT_IN_ROLES, isPermission } from './permissions.js';
import type { CreateRoleInput } from './role.inputs.js';
import { Role } from './role.entity.js';

const createSchema = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[A-Z][A-Z0-9_]{1,63}$/, 'must be UPPER_SNAKE_CASE, 2 to 64 characters (A-Z, 0-9, _)'),
  description: z.string().trim().max(500, 'must be at most 500 characters').nullish(),
  permissions: z
    .array(z.string().refine(isPermission, { error: `unknown permission; allowed: ${ALL_PERMISSIONS.join(', ')}` }))
    .min(1, 'give at least one permission'),
});

export class RoleService {
  constructor(private readonly ctx: Context) {}

  list(page: PageArgs) {
    return paginate(this.ctx.em, Role, {}, { name: 'asc' }, page);
  }

  async create(input: CreateRoleInput): Promise<Role> {
    const data = validate(createSchema, input);
    if (await this.ctx.em.count(Role, { name: data.name }))
      throw conflict('input.name', `A role named ${data.name} exists`);
    const role = Object.assign(new Role(), {
      name: data.name,
      description: data.description ?? '',
      permissions: [...new Set(data.permissions)].sort(),
    });
    this.ctx.em.persist(role);
    this.ctx.services.audit.record({
      action: 'role.create',
      targetType: 'role',
      targetId: role.id,
      details: { name: role.name, permissions: role.permissions },
    });
    await this.ctx.em.flush();
    return role;
  }
}

/** Creates the built-in roles or brings their permissions up to date (new features add permissions). */
export async function syncBuiltInRoles(em: EntityManager): Promise<void> {
  for (const [name, def] of Object.entries(BUILT_IN_ROLES)) {
    const role = (await em.findOne(Role, { name })) ?? Object.assign(new Role(), { name });
    Object.assign(role, { description: def.description, permissions: [...def.permissions].sort(), builtIn: true });
    em.persist(role);
  }
  await em.flush();
}
