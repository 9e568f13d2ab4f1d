/** Defaults of input fields, from the SDL: what the API uses when a field is left out. */
export const INPUT_DEFAULTS = {
  AddProjectMemberInput: {
    role: "VIEWER",
  },
  CreateDatasetVersionInput: {
    excludeInvalidRows: false,
  },
  CreateEvaluationInput: {
    bootstrapSamples: 1000,
    priority: 0,
  },
  CreateRunInput: {
    objective: "SFT",
    priority: 0,
  },
  GenerationSuiteInput: {
    doSample: false,
    maxNewTokens: 256,
    seed: 0,
    temperature: 1,
    thinking: "off",
    topP: 1,
  },
  MultipleChoiceSuiteInput: {
    applyChatTemplate: false,
    batchSize: 1,
  },
  PerplexitySuiteInput: {
    maxSeqLength: 2048,
  },
  ResourcesInput: {
    gpusPerNode: 1,
    nodes: 1,
    strategy: "DDP",
  },
  RunConfigInput: {
    objective: "SFT",
  },
} as const;
