import type {
  AdvantageEstimator,
  AdvantageTransform,
  LossAggregation,
  PolicyObjective,
  Regularizer,
} from './algorithm';
import type { GroupFilter, MetricSink, PromptSampler, RewardFunction } from './data';
import type { PairSource, PreferenceLoss, ReferenceSchedule } from './preference';
import type { AgentRouter, MemoryManager, RolloutStrategy, ToolFormat } from './rollout';
import type { Tool } from './tool';

export * from './algorithm';
export * from './data';
export * from './policy';
export * from './preference';
export * from './rollout';
export * from './tool';

/**
 * The instance type of every plugin kind. Third parties add kinds by declaration merging:
 * `declare module '@tirl/core' { interface PluginKinds { myKind: MyInterface } }`.
 */
export interface PluginKinds {
  advantage: AdvantageEstimator;
  advantageTransform: AdvantageTransform;
  objective: PolicyObjective;
  aggregation: LossAggregation;
  regularizer: Regularizer;
  reward: RewardFunction;
  sampler: PromptSampler;
  filter: GroupFilter;
  rollout: RolloutStrategy;
  toolFormat: ToolFormat;
  tool: Tool;
  memory: MemoryManager;
  router: AgentRouter;
  metricSink: MetricSink;
  preference: PreferenceLoss;
  pairs: PairSource;
  referenceSchedule: ReferenceSchedule;
}

export type PluginKind = keyof PluginKinds & string;

export interface KindInfo {
  /** One plugin of this kind per recipe (a later entry replaces an earlier one), or many. */
  cardinality: 'single' | 'multi';
  /** Methods an instance must have. */
  methods: readonly string[];
}

export const KINDS: Record<PluginKind, KindInfo> = {
  advantage: { cardinality: 'single', methods: ['compute'] },
  advantageTransform: { cardinality: 'multi', methods: ['transform'] },
  objective: { cardinality: 'single', methods: ['perToken'] },
  aggregation: { cardinality: 'single', methods: ['aggregate'] },
  regularizer: { cardinality: 'multi', methods: [] },
  reward: { cardinality: 'multi', methods: ['score'] },
  sampler: { cardinality: 'single', methods: ['setDataset', 'next'] },
  filter: { cardinality: 'multi', methods: ['filter'] },
  rollout: { cardinality: 'single', methods: ['rollout'] },
  toolFormat: { cardinality: 'single', methods: ['parse', 'renderObservations', 'describeTools'] },
  tool: { cardinality: 'multi', methods: ['call'] },
  memory: { cardinality: 'single', methods: ['onOverflow'] },
  router: { cardinality: 'single', methods: ['rootMessages', 'agentTools'] },
  metricSink: { cardinality: 'multi', methods: ['write'] },
  preference: { cardinality: 'single', methods: ['perPair'] },
  pairs: { cardinality: 'single', methods: ['pairs'] },
  referenceSchedule: { cardinality: 'single', methods: [] },
};

/** Registers a kind added by a third party, so recipes and experiments know its cardinality. */
export function registerKind(kind: string, info: KindInfo): void {
  if (kind in KINDS) throw new Error(`Kind "${kind}" already exists`);
  (KINDS as Record<string, KindInfo>)[kind] = info;
}

export function isKnownKind(kind: string): kind is PluginKind {
  return Object.prototype.hasOwnProperty.call(KINDS, kind);
}
