import { z } from 'zod';
import type { Context } from '../../context.js';
import { AppError, badInput, forbidden, notFound } from '../../errors.js';
import { paginate } from '../../graphql/pagination.js';
import { rules, validate } from '../../graphql/validate.js';
import { newOpaqueToken, sha256 } from '../auth/tokens.js';
import { Role } from '../role/role.entity.js';
import type { User } from '../user/user.entity.js';
import { Invite } from './invite.entity.js';
import type { CreatedInvite, CreateInviteInput, InvitesArgs } from './invite.inputs.js';

const INVITE_TOKEN_PREFIX = 'lt_inv_';
const createSchema = z.object({
  role: z.string().trim().toUpperCase().min(1).max(64).nullish(),
  email: rules.email.nullish(),
  expiresInHours: z.number().int().min(1, 'must be 1 to 2160').max(2160, 'must be 1 to 2160').nullish(),
});

/** The same answer for an unknown, used, revoked or expired invite: the caller learns nothing more. */
const inviteNotValid = () =>
  new AppError('FORBIDDEN', 'This invite is not valid (used, revoked or expired); ask for a new one', {
    fields: [{ field: 'input.inviteToken', message: 'is not valid (used, revoked or expired)' }],
  });

/** Admins (user:manage) invite people by link, with the global role their account will get. */
export class InviteService {
  constructor(private readonly ctx: Context) {}

  async create(input: CreateInviteInput): Promise<CreatedInvite> {
    const data = validate(createSchema, input);
    const em = this.ctx.em;
    const roleName = data.role ?? this.ctx.config.DEFAULT_ROLE;
    const role = await em.findOne(Role, { name: roleName });
    if (!role || roleName === 'WORKER') throw badInput('input.role', `unknown role ${roleName}`);
    const token = newOpaqueToken(INVITE_TOKEN_PREFIX);
    const hours = data.expiresInHours ?? this.ctx.config.INVITE_TTL_HOURS;
    const invite = Object.assign(new Invite(), {
      tokenHash: sha256(token),
      email: data.email ?? null,
      role,
      createdBy: this.ctx.viewer?.user ?? null,
      expiresAt: new Date(Date.now() + hours * 3_600_000),
    });
    em.persist(invite);
    this.ctx.services.audit.record({
      action: 'invite.create',
      targetType: 'invite',
      targetId: invite.id,
      details: { role: role.name, email: invite.email, expiresAt: invite.expiresAt.toISOString() },
    });
    await em.flush();
    return { token, path: `/register?invite=${encodeURIComponent(token)}`, invite };
  }

  async revoke(id: string): Promise<Invite> {
    const invite = await this.ctx.em.findOne(Invite, { id: validate(rules.uuid, id, 'id') }, { populate: ['role'] });
    if (!invite) throw notFound('Invite');
    invite.revokedAt ??= new Date();
    this.ctx.services.audit.record({ action: 'invite.revoke', targetType: 'invite', targetId: invite.id });
    await this.ctx.em.flush();
    return invite;
  }

  list(args: InvitesArgs) {
    const where = args.includeInactive ? {} : { usedAt: null, revokedAt: null, expiresAt: { $gt: new Date() } };
    return paginate(this.ctx.em, Invite, where, { createdAt: 'desc', id: 'desc' }, args);
  }

  /**
   * Claims the invite for `email` with one conditional update (single use under concurrency).
   * Returns the role to grant and a function that gives the invite back if the account is not created.
   */
  async claim(token: string, email: string): Promise<{ invite: Invite; release: () => Promise<void> }> {
    const em = this.ctx.em;
    const invite = await em.findOne(Invite, { tokenHash: sha256(token) }, { populate: ['role'] });
    if (!invite) throw inviteNotValid();
    if (invite.email && invite.email !== email) {
      throw forbidden('This invite is for another email address');
    }
    const claimed = await em.nativeUpdate(
      Invite,
      { id: invite.id, usedAt: null, revokedAt: null, expiresAt: { $gt: new Date() } },
      { usedAt: new Date() },
    );
    if (!claimed) throw inviteNotValid();
    return {
      invite,
      release: async () => void (await em.nativeUpdate(Invite, { id: invite.id }, { usedAt: null })),
    };
  }

  async markUsedBy(invite: Invite, user: User): Promise<void> {
    await this.ctx.em.nativeUpdate(Invite, { id: invite.id }, { usedBy: user.id });
  }
}
