export { check, deepFreeze, describeKit, expectMetricKeys, instantiate, METRIC_KEY, type KitCheck, type KitOptions } from './common';
export { runAdvantageKit, runAdvantageTransformKit, defaultAdvantageCases, type AdvantageCase, type AdvantageKitOptions } from './advantage';
export { runAggregationKit, type AggregationKitOptions } from './aggregation';
export { runFilterKit, defaultFilterCases, type FilterCase, type FilterKitOptions } from './filter';
export { runMemoryKit, defaultMemoryTrajectory, type MemoryKitOptions } from './memory';
export { runMetricSinkKit, type MetricSinkKitOptions } from './metric-sink';
export { runObjectiveKit, type ObjectiveKitOptions } from './objective';
export { runRegularizerKit, type RegularizerKitOptions } from './regularizer';
export { runRewardKit, defaultRewardCases, type RewardCase, type RewardKitOptions } from './reward';
export { runRolloutKit, defaultRolloutScript, type RolloutKitOptions } from './rollout';
export { runRouterKit, defaultRouterSample, type RouterKitOptions } from './router';
export { runSamplerKit, defaultDataset, type SamplerKitOptions } from './sampler';
export { runToolKit, type ToolCallCase, type ToolKitOptions } from './tool';
export { runToolFormatKit, type ToolFormatCase, type ToolFormatKitOptions } from './tool-format';
export { echoTool, kitCall, kitToolFormat } from './doubles';
export {
  addPadRow,
  batchFromMask,
  countsOf,
  defaultTensorCases,
  disposeObjectiveInput,
  microBatchSplits,
  objectiveInputOf,
  padTime,
  perturbMasked,
  plainMetrics,
  type TensorCase,
} from './tensor-cases';
export { runPreferenceKit, defaultPreferenceCases, type PreferenceCase, type PreferenceCaseSide, type PreferenceKitOptions } from './preference';
export { runPairsKit, runReferenceScheduleKit, defaultPreferenceSamples, type PairsKitOptions, type ReferenceScheduleKitOptions } from './pairs';
