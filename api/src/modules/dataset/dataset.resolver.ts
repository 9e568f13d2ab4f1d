import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { Context } from '../../context.js';
import { Connection, PageArgs } from '../../graphql/pagination.js';
import type { DatasetVersionProgressEvent } from '../../pubsub.js';
import { datasetVersionProgress } from './dataset-progress.js';
import { ProjectRole } from '../project/project-member.entity.js';
import { User } from '../user/user.entity.js';
import { DatasetVersion } from './dataset-version.entity.js';
import { Dataset } from './dataset.entity.js';
import {
  CreateDatasetInput,
  CreateDatasetVersionInput,
  DatasetRowPage,
  DatasetSchema,
  DatasetsArgs,
  DatasetVersionProgress,
  ReadOptionsInput,
  RowsArgs,
  UpdateDatasetInput,
  UploadDetection,
  ValidationReport,
} from './dataset.inputs.js';

@ObjectType()
class DatasetConnection extends Connection(Dataset) {}

@ObjectType()
class DatasetVersionConnection extends Connection(DatasetVersion) {}

@Resolver(() => Dataset)
export class DatasetResolver {
  @Query(() => DatasetConnection, { description: "A project's datasets, newest first" })
  datasets(@Args(() => DatasetsArgs) args: DatasetsArgs, @Ctx() ctx: Context) {
    return ctx.services.datasets.list(args);
  }

  @Query(() => Dataset)
  dataset(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.datasets.access(id, ProjectRole.VIEWER);
  }

  @Query(() => UploadDetection, { description: 'Format, encoding and schema found in a completed upload' })
  detectUpload(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('uploadId', () => ID) uploadId: string,
    @Arg('options', () => ReadOptionsInput, { nullable: true }) options: ReadOptionsInput | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.datasets.detectUpload(projectId, uploadId, options);
  }

  @Mutation(() => Dataset)
  createDataset(@Arg('input', () => CreateDatasetInput) input: CreateDatasetInput, @Ctx() ctx: Context) {
    return ctx.services.datasets.create(input);
  }

  @Mutation(() => Dataset)
  updateDataset(@Arg('input', () => UpdateDatasetInput) input: UpdateDatasetInput, @Ctx() ctx: Context) {
    return ctx.services.datasets.update(input);
  }

  @Mutation(() => Dataset, { description: 'Soft delete; versions stay for lineage' })
  deleteDataset(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.datasets.delete(id);
  }

  @FieldResolver(() => DatasetVersionConnection)
  versions(@Root() dataset: Dataset, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return ctx.services.datasets.versions(dataset, page);
  }
}

@Resolver(() => DatasetVersion)
export class DatasetVersionResolver {
  @Query(() => DatasetVersion)
  datasetVersion(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.datasets.versionAccess(id);
  }

  @Mutation(() => DatasetVersion, {
    description: 'Reads an upload into a new version in the background; follow datasetVersionProgress',
  })
  createDatasetVersion(
    @Arg('input', () => CreateDatasetVersionInput) input: CreateDatasetVersionInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.datasets.createVersion(input);
  }

  @Subscription(() => DatasetVersionProgress, {
    description: 'Processing progress of a version; ends with status READY or FAILED',
    subscribe: ({ args, context }) => datasetVersionProgress(context as Context, args.versionId),
  })
  datasetVersionProgress(
    @Arg('versionId', () => ID) _versionId: string,
    @Root() event: DatasetVersionProgressEvent,
  ): DatasetVersionProgress {
    return event;
  }

  @FieldResolver(() => Dataset)
  dataset(@Root() version: DatasetVersion) {
    return version.dataset;
  }

  @FieldResolver(() => User)
  author(@Root() version: DatasetVersion, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(version.authorId);
  }

  @FieldResolver(() => DatasetRowPage)
  rows(@Root() version: DatasetVersion, @Args(() => RowsArgs) args: RowsArgs, @Ctx() ctx: Context) {
    return ctx.services.datasets.rows(version, args);
  }

  @FieldResolver(() => ValidationReport, { nullable: true, description: 'Null while processing' })
  validation(@Root() version: DatasetVersion) {
    return version.validation;
  }

  @FieldResolver(() => DatasetSchema)
  schema(@Root() version: DatasetVersion): DatasetSchema {
    const detected = (version.recipe.detected ?? {}) as {
      mapping?: Record<string, unknown>;
      format?: string;
      encoding?: string;
    };
    return {
      kind: version.schemaKind,
      mapping: detected.mapping ?? null,
      format: detected.format ?? null,
      encoding: detected.encoding ?? null,
    };
  }
}
