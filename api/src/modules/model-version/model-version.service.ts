import type { Context } from '../../context.js';
import { notFound } from '../../errors.js';
import { paginate, type PageArgs } from '../../graphql/pagination.js';
import { rules, validate } from '../../graphql/validate.js';
import { ProjectRole } from '../project/project-member.entity.js';
import { requireProjectRole } from '../project/project-access.js';
import { ModelVersion } from './model-version.entity.js';

/** The project's model registry: what successful runs produced. */
export class ModelVersionService {
  constructor(private readonly ctx: Context) {}

  async access(id: string): Promise<ModelVersion> {
    const version = await this.ctx.em.findOne(ModelVersion, { id: validate(rules.uuid, id, 'id') });
    if (!version) throw notFound('Model version');
    await requireProjectRole(this.ctx.em, this.ctx.viewer, version.project.id, ProjectRole.VIEWER);
    return version;
  }

  async list(projectId: string, page: PageArgs) {
    await requireProjectRole(this.ctx.em, this.ctx.viewer, projectId, ProjectRole.VIEWER);
    return paginate(this.ctx.em, ModelVersion, { project: projectId }, { createdAt: 'desc', id: 'desc' }, page);
  }
}
