import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { estimateRun, resolveRunConfig } from './run-config.js';
import {
  HyperparameterValues,
  RunConfigInput,
  RunDefaults,
  RunEstimate,
  TrainingMethod,
  TrainingPrecision,
} from './run-config.inputs.js';
import { PRESETS, RUN_DEFAULTS } from './run-defaults.js';

/** The API's values as GraphQL gives them (the enums' values are the API's own strings). */
const values = (h: typeof RUN_DEFAULTS): HyperparameterValues => ({
  ...h,
  precision: h.precision as TrainingPrecision,
});

@Resolver()
export class RunConfigResolver {
  @Query(() => RunDefaults, {
    description: 'The defaults and presets every run configuration starts from (what the planner shows)',
  })
  runDefaults(): RunDefaults {
    return {
      hyperparameters: values(RUN_DEFAULTS),
      presets: Object.entries(PRESETS).map(([name, preset]) => ({
        name,
        method: preset.method as TrainingMethod,
        hyperparameters: values({ ...RUN_DEFAULTS, ...preset.values }),
      })),
    };
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
