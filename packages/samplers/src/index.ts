import type { AnyPluginDefinition } from '@tirl/core';
import { adacotSlm } from './filters/adacot-slm';
import { d3sSample } from './filters/d3s-sample';
import { dynamicSampling } from './filters/dynamic-sampling';
import { greedyBaselineFilter } from './filters/greedy-baseline';
import { overlongFilter } from './filters/overlong';
import { voidMask } from './filters/void-mask';
import { curriculum } from './prompt/curriculum';
import { epochShuffle } from './prompt/epoch-shuffle';
import { scafHints } from './prompt/scaf-hints';
import { tapirCurriculum } from './prompt/tapir-curriculum';
import { xrpoAllocator } from './prompt/xrpo-allocator';
import { exemplarSampler } from './prompt/exemplars';
import { demoRetrieval } from './prompt/demo-retrieval';
import { d3sToken } from './tokens/d3s-token';

export { adacotSlm, decisionTokenIndex } from './filters/adacot-slm';
export { d3sSample, extremeSubset } from './filters/d3s-sample';
export { dynamicSampling } from './filters/dynamic-sampling';
export { greedyBaselineFilter } from './filters/greedy-baseline';
export { maskTrajectory, metricOf } from './filters/metric';
export { overlongFilter } from './filters/overlong';
export { isVoid, voidMask } from './filters/void-mask';
export { allocateRollouts, type AllocationInput, type AllocationOptions } from './prompt/allocate';
export { curriculum } from './prompt/curriculum';
export { EpochOrder } from './prompt/epoch-order';
export { epochShuffle } from './prompt/epoch-shuffle';
export { scafHints, withHints } from './prompt/scaf-hints';
export { xrpoAllocator } from './prompt/xrpo-allocator';
export { apportion, modelFittingDifficulty, tapirCurriculum } from './prompt/tapir-curriculum';
export { bestCandidate, exemplarSampler, exemplarsFor } from './prompt/exemplars';
export { ExemplarPool, questionOf, withExemplars, type Exemplar } from './prompt/exemplar-pool';
export { block, demoPrompt, demoRetrieval } from './prompt/demo-retrieval';
export { bm25Scores, terms, topK } from './util/bm25';
export { d3sTokenMask, topEntropyMask, topFractionMask } from './tokens/select';
export { d3sToken } from './tokens/d3s-token';
export { scheduleSchema, scheduleValue, type Schedule } from './util/schedule';
export { halfWidth, populationStd, tQuantile975 } from './util/stats';

/** Every plugin of this package. */
export const plugins: readonly AnyPluginDefinition[] = [
  epochShuffle,
  curriculum,
  xrpoAllocator,
  exemplarSampler,
  demoRetrieval,
  scafHints,
  dynamicSampling,
  overlongFilter,
  voidMask,
  d3sSample,
  greedyBaselineFilter,
  adacotSlm,
  tapirCurriculum,
  d3sToken,
] as AnyPluginDefinition[];
