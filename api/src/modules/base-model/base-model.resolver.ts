import { Arg, Args, ArgsType, Field, Float, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { badInput } from '../../errors.js';
import { PageArgs } from '../../graphql/pagination.js';
import { CATALOG, findModel, type CatalogModel } from './catalog.js';

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
export class BaseModelResolver {
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
}
