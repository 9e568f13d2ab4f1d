import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { Connection, PageArgs } from '../../graphql/pagination.js';
import { DatasetVersion } from '../dataset/dataset-version.entity.js';
import { Run } from '../run/run.entity.js';
import { ModelVersion } from './model-version.entity.js';

@ObjectType()
class ModelVersionConnection extends Connection(ModelVersion) {}

@ArgsType()
class ModelVersionsArgs extends PageArgs {
  @Field(() => ID) projectId!: string;
}

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @Query(() => ModelVersionConnection, { description: "A project's model versions, newest first" })
  modelVersions(@Args(() => ModelVersionsArgs) args: ModelVersionsArgs, @Ctx() ctx: Context) {
    return ctx.services.modelVersions.list(args.projectId, args);
  }

  @Query(() => ModelVersion)
  modelVersion(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.modelVersions.access(id);
  }

  @FieldResolver(() => Run, { description: 'The run that produced it' })
  run(@Root() version: ModelVersion, @Ctx() ctx: Context) {
    return ctx.em.findOneOrFail(Run, { id: version.run.id });
  }

  @FieldResolver(() => DatasetVersion)
  datasetVersion(@Root() version: ModelVersion, @Ctx() ctx: Context) {
    return ctx.em.findOneOrFail(DatasetVersion, { id: version.datasetVersion.id }, { populate: ['dataset'] });
  }

  @FieldResolver(() => String, { description: 'GET this path with the bearer token: the model as tar.gz' })
  downloadPath(@Root() version: ModelVersion) {
    return `/models/versions/${version.id}/download`;
  }
}
