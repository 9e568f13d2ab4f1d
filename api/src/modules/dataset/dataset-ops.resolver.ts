import { Arg, Ctx, FieldResolver, ID, Int, Mutation, ObjectType, Field, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { ApplyDatasetPipelineInput, DatasetDiff, EditDatasetRowsInput, RenderedRow } from './dataset-ops.inputs.js';
import { DatasetVersion } from './dataset-version.entity.js';

@ObjectType()
class DatasetLineage {
  @Field(() => [DatasetVersion], { description: 'Versions this one was made from' })
  parents!: DatasetVersion[];

  @Field(() => [DatasetVersion], { description: 'Versions made from this one (first 100)' })
  children!: DatasetVersion[];
}

@Resolver(() => DatasetVersion)
export class DatasetOpsResolver {
  @Mutation(() => DatasetVersion, {
    description: 'Runs recorded preprocessing steps into a new version (background; follow datasetVersionProgress)',
  })
  applyDatasetPipeline(
    @Arg('input', () => ApplyDatasetPipelineInput) input: ApplyDatasetPipelineInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.datasetDerive.applyPipeline(input);
  }

  @Mutation(() => DatasetVersion, { description: 'Saves row changes as a new version (copy-on-write), with a message' })
  editDatasetRows(@Arg('input', () => EditDatasetRowsInput) input: EditDatasetRowsInput, @Ctx() ctx: Context) {
    return ctx.services.datasetDerive.editRows(input);
  }

  @Query(() => DatasetDiff, { description: 'Rows added, removed and changed from base to head (same dataset), paged' })
  diffDatasetVersions(
    @Arg('baseId', () => ID) baseId: string,
    @Arg('headId', () => ID) headId: string,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit: number,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.datasetDerive.diff(baseId, headId, offset, limit);
  }

  @Query(() => RenderedRow, {
    description: "A row through a model's chat template: tokens, loss mask, truncation and warnings",
  })
  renderDatasetRow(
    @Arg('versionId', () => ID) versionId: string,
    @Arg('index', () => Int) index: number,
    @Arg('baseModelId', () => String) baseModelId: string,
    @Arg('maxLength', () => Int, { defaultValue: 2048 }) maxLength: number,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.datasetDerive.render(versionId, index, baseModelId, maxLength);
  }

  @FieldResolver(() => DatasetLineage)
  lineage(@Root() version: DatasetVersion, @Ctx() ctx: Context) {
    return ctx.services.datasetDerive.lineage(version);
  }

  @FieldResolver(() => String, { description: 'GET with Authorization: Bearer; add ?format=parquet for Parquet' })
  downloadUrl(@Root() version: DatasetVersion) {
    return `/datasets/versions/${version.id}/download`;
  }
}
