import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { AppError, badInput, conflict, notFound, unauthenticated } from '../../errors.js';
import { containsPattern, paginate } from '../../graphql/pagination.js';
import { rules, validate } from '../../graphql/validate.js';
import type { AppServices } from '../../services.js';
import { signInKeys, Throttle } from '../auth/throttle.js';
import { Role } from '../role/role.entity.js';
import type {
  ChangePasswordInput,
  CreateUserInput,
  SetUserRolesInput,
  UpdateProfileInput,
  UsersArgs,
} from './user.inputs.js';
import { User } from './user.entity.js';

const profileSchema = z.object({ displayName: rules.displayName.nullish(), locale: rules.locale.nullish() });
const createSchema = z.object({
  email: rules.email,
  displayName: rules.displayName,
  password: rules.password,
  roles: z.array(z.string()).max(20).nullish(),
});

export class UserService {
  constructor(
    private readonly ctx: Context,
    private readonly app: AppServices,
  ) {}

  private get viewer() {
    if (!this.ctx.viewer) throw unauthenticated();
    return this.ctx.viewer;
  }

  me(): User {
    return this.viewer.user;
  }

  async updateProfile(input: UpdateProfileInput): Promise<User> {
    const data = validate(profileSchema, input);
    const user = this.viewer.user;
    if (data.displayName) user.displayName = data.displayName;
    if (data.locale) user.locale = data.locale;
    await this.ctx.em.flush();
    return user;
  }

  /**
   * Changing the password ends every other session of the user and, asked to, revokes their API
   * tokens. The current-password check shares the sign-in throttle (a stolen session must not
   * become a password-guessing oracle).
   */
  async changePassword(input: ChangePasswordInput): Promise<boolean> {
    const data = validate(
      z.object({ currentPassword: z.string(), newPassword: rules.password, revokeApiTokens: z.boolean().nullish() }),
      input,
    );
    const user = this.viewer.user;
    const throttle = new Throttle(this.ctx.em, this.ctx.config);
    const keys = signInKeys(this.ctx.config, user.email, this.ctx.ip);
    await throttle.reserve(keys);
    if (!(await this.app.hasher.verify(user.passwordHash, data.currentPassword))) {
      throw badInput('input.currentPassword', 'is not your current password');
    }
    await throttle.succeeded(keys);
    user.passwordHash = await this.app.hasher.hash(data.newPassword);
    await this.ctx.em.transactional(async (em) => {
      await this.ctx.services.auth.revokeUserSessions(em, user.id, 'password-changed', this.viewer.sessionId);
      const revokedApiTokens = data.revokeApiTokens ? await this.ctx.services.auth.revokeUserApiTokens(em, user.id) : 0;
      this.ctx.services.audit.record(
        { action: 'user.password.change', targetType: 'user', targetId: user.id, details: { revokedApiTokens } },
        em,
      );
    });
    return true;
  }

  list(args: UsersArgs) {
    const where: Record<string, unknown> = {};
    if (args.search?.trim()) {
      const like = containsPattern(args.search.trim());
      where.$or = [{ email: { $ilike: like } }, { displayName: { $ilike: like } }];
    }
    if (args.disabled === true) where.disabledAt = { $ne: null };
    if (args.disabled === false) where.disabledAt = null;
    return paginate(this.ctx.em, User, where, { createdAt: 'asc', id: 'asc' }, args);
  }

  async get(id: string): Promise<User> {
    const user = await this.ctx.em.findOne(User, { id: validate(rules.uuid, id, 'id') });
    if (!user) throw notFound('User');
    return user;
  }

  async create(input: CreateUserInput): Promise<User> {
    const data = validate(createSchema, input);
    const em = this.ctx.em;
    if (await em.count(User, { email: data.email }))
      throw conflict('input.email', 'An account with this email already exists');
    const roles = await this.findRoles(em, data.roles ?? [this.ctx.config.DEFAULT_ROLE], 'input.roles');
    const user = Object.assign(new User(), {
      email: data.email,
      displayName: data.displayName,
      passwordHash: await this.app.hasher.hash(data.password),
    });
    user.roles.set(roles);
    em.persist(user);
    this.ctx.services.audit.record({
      action: 'user.create',
      targetType: 'user',
      targetId: user.id,
      details: { roles: roles.map((r) => r.name) },
    });
    await em.flush();
    return user;
  }

  async setRoles(input: SetUserRolesInput): Promise<User> {
    const user = await this.get(input.userId);
    const roles = await this.findRoles(this.ctx.em, input.roles, 'input.roles');
    if (user.id === this.viewer.user.id && !roles.some((r) => r.permissions.includes('user:manage'))) {
      throw badInput('input.roles', 'you cannot remove your own user management rights');
    }
    await user.roles.init();
    const before = user.roles.getItems().map((r) => r.name);
    user.roles.set(roles);
    this.ctx.services.audit.record({
      action: 'user.roles.set',
      targetType: 'user',
      targetId: user.id,
      details: { before, after: roles.map((r) => r.name) },
    });
    await this.ctx.em.flush();
    return user;
  }

  /** Disabling ends the user's sessions; their access and API tokens stop working at once. */
  async setDisabled(id: string, disabled: boolean): Promise<User> {
    const user = await this.get(id);
    if (disabled && user.id === this.viewer.user.id) throw badInput('id', 'you cannot disable your own account');
    await this.ctx.em.transactional(async (em) => {
      user.disabledAt = disabled ? (user.disabledAt ?? new Date()) : null;
      if (disabled) await this.ctx.services.auth.revokeUserSessions(em, user.id, 'user-disabled');
      this.ctx.services.audit.record(
        { action: disabled ? 'user.disable' : 'user.enable', targetType: 'user', targetId: user.id },
        em,
      );
    });
    return user;
  }

  private async findRoles(em: EntityManager, names: string[], field: string): Promise<Role[]> {
    const unique = [...new Set(names.map((n) => n.trim().toUpperCase()))];
    if (!unique.length) throw badInput(field, 'give at least one role');
    const roles = await em.find(Role, { name: { $in: unique } });
    const missing = unique.filter((n) => !roles.some((r) => r.name === n));
    if (missing.length) {
      throw new AppError('BAD_USER_INPUT', `${field}: unknown role ${missing.join(', ')}`, {
        fields: [{ field, message: `unknown role ${missing.join(', ')}` }],
      });
    }
    return roles;
  }
}
