import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Role } from '../role/role.entity.js';
import { User } from './user.entity.js';

/** Users by id, one query per batch. */
export const createUserLoader = (em: EntityManager) =>
  new DataLoader<string, User | null>(async (ids) => {
    const users = await em.find(User, { id: { $in: [...ids] } });
    const byId = new Map(users.map((u) => [u.id, u]));
    return ids.map((id) => byId.get(id) ?? null);
  });

/** Roles of many users in one query (through the user_roles pivot). */
export const createRolesByUserLoader = (em: EntityManager) =>
  new DataLoader<string, Role[]>(async (userIds) => {
    const rows = await em
      .getConnection()
      .execute<{ user_id: string; role_id: string }[]>('select user_id, role_id from user_roles where user_id in (?)', [
        [...userIds],
      ]);
    const roles = await em.find(
      Role,
      { id: { $in: [...new Set(rows.map((r) => r.role_id))] } },
      { orderBy: { name: 'asc' } },
    );
    const byId = new Map(roles.map((r) => [r.id, r]));
    return userIds.map((id) =>
      rows
        .filter((r) => r.user_id === id)
        .map((r) => byId.get(r.role_id)!)
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  });
