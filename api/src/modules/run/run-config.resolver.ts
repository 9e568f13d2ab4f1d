import { Arg, Args, ArgsType, Ctx, Field, Float, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { badInput } from '../../errors.js';
import { PageArgs } from '../../graphql/pagination.js';
import { CATALOG, findModel, type CatalogModel } from '../model/catalog.js';
import { estimateRun, resolveRunConfig } from './run-config.js';
import { RunConfigInput, RunEstimate } from './run-config.inputs.js';

@ObjectType({ description: 'A base model of the built-in catalogue' })
class BaseModel {
  @Field(() => String) id!: string;
  @Field(() => String) family!: string;
  @Field(() => String) architecture!: string;
  @Field(() => Float, { description: 'Billions of parameters' }) params!: number;
  @Field(() => Float, { nullable: true, description: 'Active billions per token (mixture of experts)' })
  activeParams?: number;
  @Field(() => Int) layers!: number;
  @Field(() => Int) hiddenSize!: number;
  @Field(() => Int) contextLength!: number;
  @Field(() => String) licence!: string;
  @Field(() => String, { description: 'Chat template family' }) template!: string;
  @Field(() => Boolean, { description: 'Has a thinking mode (<think> blocks)' }) thinking!: boolean;
  @Field(() => [String]) loraTargets!: string[];
}

@ObjectType()
class BaseModelConnection {
  @Field(() => [BaseModel]) nodes!: CatalogModel[];
  @Field(() => Int) totalCount!: number;
}

@ArgsType()
class BaseModelsArgs extends PageArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Qwen2.5, Qwen3, DeepSeek-R1-Distill, deepseek-coder or DeepSeek-V2',
  })
  family?: string | null;
}

@Resolver()
export class RunConfigResolver {
  @Query(() => BaseModelConnection, { description: 'The model catalogue (a fixed list; `first` caps it)' })
  baseModels(@Args(() => BaseModelsArgs) args: BaseModelsArgs) {
    const matching = CATALOG.filter((m) => !args.family || m.family === args.family);
    return { nodes: matching.slice(0, Math.min(100, Math.max(1, args.first))), totalCount: matching.length };
  }

  @Query(() => BaseModel)
  baseModel(@Arg('id', () => String) id: string) {
    const model = findModel(id);
    if (!model) throw badInput('id', 'unknown model');
    return model;
  }

  @Query(() => RunEstimate, {
    description: 'Validates a run configuration and estimates its memory and time, before launch',
  })
  async estimateRun(@Arg('input', () => RunConfigInput) input: RunConfigInput, @Ctx() ctx: Context) {
    const version = await ctx.services.datasets.versionAccess(input.datasetVersionId);
    const config = resolveRunConfig(input, version, await ctx.services.workers.pool());
    const estimate = estimateRun(config, version);
    if (!(await ctx.services.workers.pool()))
      estimate.warnings.push('no worker is registered yet; runs will wait in the queue until one is');
    return estimate;
  }
}
