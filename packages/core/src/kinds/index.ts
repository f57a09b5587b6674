import type {
  AdvantageEstimator,
  AdvantageTransform,
  LossAggregation,
  PolicyObjective,
  Regularizer,
} from './algorithm';
import type { GroupFilter, MetricSink, PromptSampler, RewardFunction } from './data';
import type { AgentRouter, MemoryManager, RolloutStrategy, ToolFormat } from './rollout';
import type { Tool } from './tool';

export * from './algorithm';
export * from './data';
export * from './policy';
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
}

export type PluginKind = keyof PluginKinds & string;

export interface KindInfo {
  /** One plugin of this kind per recipe (a later entry replaces an earlier one), or many. */
  cardinality: 'single' | 'multi';
  /** Packages that hold the built-in plugins of this kind, searched on demand. */
  packages: readonly string[];
  /** Methods an instance must have. */
  methods: readonly string[];
}

export const KINDS: Record<PluginKind, KindInfo> = {
  advantage: { cardinality: 'single', packages: ['@tirl/advantage'], methods: ['compute'] },
  advantageTransform: { cardinality: 'multi', packages: ['@tirl/advantage'], methods: ['transform'] },
  objective: { cardinality: 'single', packages: ['@tirl/clipping'], methods: ['perToken'] },
  aggregation: { cardinality: 'single', packages: ['@tirl/clipping'], methods: ['aggregate'] },
  regularizer: { cardinality: 'multi', packages: ['@tirl/clipping'], methods: [] },
  reward: { cardinality: 'multi', packages: ['@tirl/rewards'], methods: ['score'] },
  sampler: { cardinality: 'single', packages: ['@tirl/samplers'], methods: ['setDataset', 'next'] },
  filter: { cardinality: 'multi', packages: ['@tirl/samplers'], methods: ['filter'] },
  rollout: { cardinality: 'single', packages: ['@tirl/rollout-tree'], methods: ['rollout'] },
  toolFormat: { cardinality: 'single', packages: ['@tirl/rollout-tree'], methods: ['parse', 'renderObservations', 'describeTools'] },
  tool: {
    cardinality: 'multi',
    packages: ['@tirl/tools-python', '@tirl/tools-search', '@tirl/tools-vision', '@tirl/orchestration'],
    methods: ['call'],
  },
  memory: { cardinality: 'single', packages: ['@tirl/memory-folding'], methods: ['onOverflow'] },
  router: { cardinality: 'single', packages: ['@tirl/orchestration'], methods: ['rootMessages', 'agentTools'] },
  metricSink: { cardinality: 'multi', packages: ['@tirl/trainer'], methods: ['write'] },
};

/** Registers a kind added by a third party, so recipes and experiments know its cardinality. */
export function registerKind(kind: string, info: KindInfo): void {
  if (kind in KINDS) throw new Error(`Kind "${kind}" already exists`);
  (KINDS as Record<string, KindInfo>)[kind] = info;
}

export function isKnownKind(kind: string): kind is PluginKind {
  return Object.prototype.hasOwnProperty.call(KINDS, kind);
}
