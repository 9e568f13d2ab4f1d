import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum TrainingMethod {
  FULL = 'full',
  LORA = 'lora',
  QLORA = 'qlora',
}
registerEnumType(TrainingMethod, { name: 'TrainingMethod', description: 'QLoRA is 4-bit LoRA and needs CUDA GPUs' });

export enum TrainingObjective {
  SFT = 'sft',
  DPO = 'dpo',
}
registerEnumType(TrainingObjective, { name: 'TrainingObjective', description: 'DPO needs a preference dataset' });

export enum TrainingPrecision {
  BF16 = 'bf16',
  FP16 = 'fp16',
  FP32 = 'fp32',
}
registerEnumType(TrainingPrecision, { name: 'TrainingPrecision' });

export enum DistributedStrategy {
  DDP = 'ddp',
  FSDP = 'fsdp',
}
registerEnumType(DistributedStrategy, { name: 'DistributedStrategy' });

@InputType({ description: 'Hyperparameters; anything left out takes the preset or default value (runDefaults)' })
export class HyperparametersInput {
  @Field(() => Float, { nullable: true }) learningRate?: number | null;
  @Field(() => Float, { nullable: true }) numTrainEpochs?: number | null;
  @Field(() => Int, { nullable: true, description: '-1 or null: run whole epochs' }) maxSteps?: number | null;
  @Field(() => Int, { nullable: true }) perDeviceTrainBatchSize?: number | null;
  @Field(() => Int, { nullable: true }) gradientAccumulationSteps?: number | null;
  @Field(() => Int, { nullable: true }) maxSeqLength?: number | null;
  @Field(() => Boolean, { nullable: true }) packing?: boolean | null;
  @Field(() => Float, { nullable: true }) warmupRatio?: number | null;
  @Field(() => String, { nullable: true, description: 'linear, cosine, constant, constant_with_warmup' })
  lrSchedulerType?: string | null;
  @Field(() => Float, { nullable: true }) weightDecay?: number | null;
  @Field(() => String, { nullable: true, description: 'adamw_torch, adamw_8bit, adafactor, sgd' }) optim?:
    string | null;
  @Field(() => Int, { nullable: true }) loraR?: number | null;
  @Field(() => Int, { nullable: true }) loraAlpha?: number | null;
  @Field(() => Float, { nullable: true }) loraDropout?: number | null;
  @Field(() => [String], {
    nullable: true,
    description: 'Module names, or ["all-linear"]; default: the model catalogue entry',
  })
  loraTargetModules?: string[] | null;
  @Field(() => TrainingPrecision, { nullable: true }) precision?: TrainingPrecision | null;
  @Field(() => Boolean, { nullable: true }) gradientCheckpointing?: boolean | null;
  @Field(() => Int, { nullable: true }) seed?: number | null;
  @Field(() => Int, { nullable: true }) evalSteps?: number | null;
  @Field(() => Int, { nullable: true }) saveSteps?: number | null;
  @Field(() => Int, { nullable: true }) loggingSteps?: number | null;
  @Field(() => Boolean, { nullable: true }) assistantOnlyLoss?: boolean | null;
  @Field(() => String, { nullable: true, description: 'keep or strip_empty (drop empty <think></think> blocks)' })
  thinking?: string | null;
  @Field(() => Float, { nullable: true }) dpoBeta?: number | null;
}

@InputType()
export class ResourcesInput {
  @Field(() => Int, { defaultValue: 1, description: 'GPUs per node; 0 trains on CPU (tiny models only)' })
  gpusPerNode: number = 1;
  @Field(() => Int, { defaultValue: 1 }) nodes: number = 1;
  @Field(() => DistributedStrategy, { defaultValue: DistributedStrategy.DDP }) strategy: DistributedStrategy =
    DistributedStrategy.DDP;
}

@InputType({ description: 'Everything a run needs, validated before it is queued' })
export class RunConfigInput {
  @Field(() => ID) datasetVersionId!: string;
  @Field(() => String) baseModelId!: string;
  @Field(() => TrainingMethod) method!: TrainingMethod;
  @Field(() => TrainingObjective, { defaultValue: TrainingObjective.SFT }) objective: TrainingObjective =
    TrainingObjective.SFT;
  @Field(() => String, { nullable: true, description: 'LORA_QUICK, QLORA_LOW_MEMORY or FULL_FINE_TUNE' }) preset?:
    string | null;
  @Field(() => HyperparametersInput, { nullable: true }) hyperparameters?: HyperparametersInput | null;
  @Field(() => ResourcesInput, { nullable: true }) resources?: ResourcesInput | null;
}

@ObjectType()
export class RunEstimate {
  @Field(() => Float, { description: 'GiB per GPU' }) weightsGb!: number;
  @Field(() => Float) trainableGb!: number;
  @Field(() => Float) optimizerGb!: number;
  @Field(() => Float) activationsGb!: number;
  @Field(() => Float, { description: 'Estimated peak GiB per GPU' }) totalGb!: number;
  @Field(() => Float) trainableParams!: number;
  @Field(() => Float, { description: 'Training tokens: rows × mean tokens × epochs' }) trainTokens!: number;
  @Field(() => Int, { description: 'Rough wall time in seconds on A100-class GPUs' }) seconds!: number;
  @Field(() => [String], { description: 'GPU classes this fits on: 24 GB, 40 GB, 80 GB, 141 GB' }) fitsOn!: string[];
  @Field(() => [String]) warnings!: string[];
}

@ObjectType({
  description: 'Hyperparameter values as a run gets them (the fields of HyperparametersInput but the LoRA targets)',
})
export class HyperparameterValues {
  @Field(() => Float) learningRate!: number;
  @Field(() => Float) numTrainEpochs!: number;
  @Field(() => Int, { description: '-1: run whole epochs' }) maxSteps!: number;
  @Field(() => Int) perDeviceTrainBatchSize!: number;
  @Field(() => Int) gradientAccumulationSteps!: number;
  @Field(() => Int) maxSeqLength!: number;
  @Field(() => Boolean) packing!: boolean;
  @Field(() => Float) warmupRatio!: number;
  @Field(() => String) lrSchedulerType!: string;
  @Field(() => Float) weightDecay!: number;
  @Field(() => String) optim!: string;
  @Field(() => Int) loraR!: number;
  @Field(() => Int) loraAlpha!: number;
  @Field(() => Float) loraDropout!: number;
  @Field(() => TrainingPrecision) precision!: TrainingPrecision;
  @Field(() => Boolean) gradientCheckpointing!: boolean;
  @Field(() => Int) seed!: number;
  @Field(() => Int, { nullable: true, description: 'null: no evaluation during training' }) evalSteps!: number | null;
  @Field(() => Int) saveSteps!: number;
  @Field(() => Int) loggingSteps!: number;
  @Field(() => Boolean) assistantOnlyLoss!: boolean;
  @Field(() => String) thinking!: string;
  @Field(() => Float) dpoBeta!: number;
}

@ObjectType({ description: 'A starting point for a run, made for one training method' })
export class RunPreset {
  @Field(() => String, { description: 'What RunConfigInput.preset takes' }) name!: string;
  @Field(() => TrainingMethod) method!: TrainingMethod;
  @Field(() => HyperparameterValues, { description: "The defaults with this preset's values applied" })
  hyperparameters!: HyperparameterValues;
}

@ObjectType({ description: "What a run uses for anything left out: the API's defaults and presets" })
export class RunDefaults {
  @Field(() => HyperparameterValues, {
    description: "The LoRA target modules default to the model's catalogue entry (BaseModel.loraTargets)",
  })
  hyperparameters!: HyperparameterValues;
  @Field(() => [RunPreset]) presets!: RunPreset[];
}
