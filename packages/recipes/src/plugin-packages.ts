import type { EntryOp, Method, Task } from '@tirl/core';

/**
 * Where each built-in plugin lives, so a recipe can say which packages it needs before any is installed
 * (`tirl recipes NAME --packages`). The package manifests are the source of truth; a test checks this
 * table against them.
 */
export const PLUGIN_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  '@tirl/advantage': [
    'advantage/egae',
    'advantage/gae',
    'advantage/gpg',
    'advantage/grpo',
    'advantage/matpo',
    'advantage/opo',
    'advantage/pass-at-k',
    'advantage/portool',
    'advantage/reinforce-plus-plus',
    'advantage/reinforce-plus-plus-baseline',
    'advantage/remax',
    'advantage/rloo',
    'advantage/toolpo',
    'advantage/tree-grpo',
    'advantageTransform/arpo-hard',
    'advantageTransform/aspo',
    'advantageTransform/dcpo-sas',
    'advantageTransform/hapo-token-group',
    'advantageTransform/riskpo-mvar',
    'advantageTransform/xrpo-novelty',
  ],
  '@tirl/clipping': [
    'aggregation/root-normalised',
    'aggregation/seq-mean-token-mean',
    'aggregation/seq-mean-token-sum',
    'aggregation/seq-mean-token-sum-norm',
    'aggregation/token-mean',
    'objective/bapo',
    'objective/cispo',
    'objective/clip-cov',
    'objective/dcpo',
    'objective/decoupled-ppo',
    'objective/gmpo',
    'objective/gspo',
    'objective/hapo',
    'objective/kl-cov',
    'objective/ppo-clip',
    'objective/reinforce',
    'objective/sapo',
    'regularizer/entropy',
    'regularizer/kl',
    'regularizer/llds',
    'regularizer/mdpo-kl',
    'regularizer/mdpo-kl-off-policy',
    'regularizer/nll-on-positive',
  ],
  '@tirl/memory-folding': [
    'memory/bats-verifier',
    'memory/deepagent',
    'memory/fail',
    'memory/sliding-window',
    'memory/summarize',
  ],
  '@tirl/orchestration': [
    'reward/evolving-rubric',
    'reward/matpo',
    'reward/mixture-of-judges',
    'reward/tool-augmented-rm',
    'router/matpo',
    'router/orchestrator',
    'tool/agent',
    'tool/chat-model',
  ],
  '@tirl/rewards': [
    'reward/adacot-pareto',
    'reward/adaptive-mode',
    'reward/exact-match',
    'reward/execution-pass',
    'reward/flawed-positive',
    'reward/gate',
    'reward/length-penalty',
    'reward/llm-judge',
    'reward/math-equivalence',
    'reward/metatool',
    'reward/otc',
    'reward/product',
    'reward/soft-overlong',
    'reward/token-f1',
    'reward/tool-format',
    'reward/tool-orchestra',
    'reward/tool-star',
    'reward/toolrl',
    'reward/unified-cost',
    'reward/visual-evidence',
    'reward/weighted-sum',
  ],
  '@tirl/preference': [
    'advantage/step-value',
    'objective/dapo-da',
    'pairs/group',
    'pairs/mcts-step',
    'pairs/offline',
    'pairs/self-critic',
    'pairs/seppo-anchor',
    'pairs/tree-stepwise',
    'preference/dpo',
    'preference/seppo',
    'preference/simpo',
    'preference/tgdpo',
    'referenceSchedule/nesterov',
    'referenceSchedule/phase-start',
    'referenceSchedule/random-past-checkpoint',
    'regularizer/dpo-token-reward',
  ],
  '@tirl/rollout-tree': [
    'rollout/a2fm-apo',
    'rollout/arpo',
    'rollout/async',
    'rollout/backtrack-on-failure',
    'rollout/entropy-temperature',
    'rollout/failed-step-regeneration',
    'rollout/dfsdt',
    'rollout/greedy-baseline',
    'rollout/linear',
    'rollout/policy-augmented',
    'rollout/successive-window',
    'rollout/tree-search',
    'toolFormat/hermes',
    'toolFormat/parallel-calls',
    'toolFormat/xml-tags',
  ],
  '@tirl/samplers': [
    'advantageTransform/d3s-token',
    'filter/adacot-slm',
    'filter/d3s-sample',
    'filter/dynamic-sampling',
    'filter/greedy-baseline',
    'filter/overlong',
    'filter/void-mask',
    'sampler/curriculum',
    'sampler/demo-retrieval',
    'sampler/epoch-shuffle',
    'sampler/exemplars',
    'sampler/scaf-hints',
    'sampler/tapir-curriculum',
    'sampler/xrpo-allocator',
  ],
  '@tirl/tools-python': [
    'reward/acecode',
    'tool/python',
    'tool/python-image',
    'tool/toolmaker',
  ],
  '@tirl/tools-search': [
    'tool/api-retriever',
    'tool/http-search',
    'tool/mcp',
    'tool/open',
    'tool/search',
  ],
  '@tirl/tools-vision': [
    'tool/image',
  ],
};

const OWNER = new Map(Object.entries(PLUGIN_PACKAGES).flatMap(([pkg, ids]) => ids.map((id) => [id, pkg] as const)));

/** The method with `packages` naming the package of each plugin it adds or swaps in (parents add theirs). */
export function withPackages<T extends Method | Task>(method: T): T {
  const entries: readonly EntryOp[] = [...(method.plugins ?? []), ...('correctness' in method && method.correctness ? [method.correctness] : [])];
  const own = entries
    .map(addedId)
    .map((id) => (id === undefined ? undefined : OWNER.get(id)))
    .filter((p): p is string => p !== undefined);
  const packages = [...new Set([...(method.packages ?? []), ...own])].sort();
  return Object.freeze({ ...(method as Method | Task), packages }) as unknown as T;
}

function addedId(entry: EntryOp): string | undefined {
  if ('remove' in entry) return undefined;
  if ('replace' in entry) return entry.with[0];
  return entry[0];
}
