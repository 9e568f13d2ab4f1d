import { z } from 'zod';
import type { Context } from '../../context.js';
import { badInput, forbidden, notFound, unauthenticated } from '../../errors.js';
import { paginate, type PageArgs } from '../../graphql/pagination.js';
import { rules, validate } from '../../graphql/validate.js';
import { API_TOKEN_PREFIX, newOpaqueToken, sha256 } from '../auth/tokens.js';
import { isPermission } from '../role/permissions.js';
import type { CreateApiTokenInput, CreatedApiToken } from './api-token.inputs.js';
import { ApiToken } from './api-token.entity.js';

const createSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  scopes: z.array(z.string()).min(1, 'give at least one scope'),
  expiresInDays: z.number().int().min(1, 'must be 1 to 365').max(365, 'must be 1 to 365').nullish(),
});

export class ApiTokenService {
  constructor(private readonly ctx: Context) {}

  private get viewer() {
    if (!this.ctx.viewer) throw unauthenticated();
    return this.ctx.viewer;
  }

  listMine(page: PageArgs) {
    return paginate(this.ctx.em, ApiToken, { user: this.viewer.user.id }, { createdAt: 'desc', id: 'desc' }, page);
  }

  async create(input: CreateApiTokenInput): Promise<CreatedApiToken> {
    const viewer = this.viewer;
    if (viewer.apiTokenId) throw forbidden('API tokens cannot create API tokens; sign in instead');
    const data = validate(createSchema, input);
    const scopes = [...new Set(data.scopes)].sort();
    const notHeld = scopes.filter((s) => !isPermission(s) || !viewer.permissions.has(s));
    if (notHeld.length) {
      throw badInput(
        'input.scopes',
        `you do not hold ${notHeld.join(', ')}; allowed: ${[...viewer.permissions].sort().join(', ')}`,
      );
    }
    const secret = newOpaqueToken(API_TOKEN_PREFIX);
    const apiToken = Object.assign(new ApiToken(), {
      user: viewer.user,
      name: data.name,
      prefix: secret.slice(0, API_TOKEN_PREFIX.length + 6),
      tokenHash: sha256(secret),
      scopes,
      expiresAt: data.expiresInDays ? new Date(Date.now() + data.expiresInDays * 86_400_000) : null,
    });
    this.ctx.em.persist(apiToken);
    this.ctx.services.audit.record({
      action: 'apiToken.create',
      targetType: 'apiToken',
      targetId: apiToken.id,
      details: { name: apiToken.name, scopes },
    });
    await this.ctx.em.flush();
    return { token: secret, apiToken };
  }

  async revoke(id: string): Promise<ApiToken> {
    const tokenId = validate(rules.uuid, id, 'id');
    const apiToken = await this.ctx.em.findOne(ApiToken, { id: tokenId, user: this.viewer.user.id });
    if (!apiToken) throw notFound('API token');
    apiToken.revokedAt ??= new Date();
    this.ctx.services.audit.record({ action: 'apiToken.revoke', targetType: 'apiToken', targetId: apiToken.id });
    await this.ctx.em.flush();
    return apiToken;
  }
}
