import type { AnyPluginDefinition } from '@tirl/core';
import { defineRecipe, type Method, type Recipe } from '@tirl/core';
import { base } from './recipes/base';
import { ppo } from './recipes/ppo';
import { grpo } from './recipes/grpo';
import { drGrpo } from './recipes/dr-grpo';
import { rloo } from './recipes/rloo';
import { reinforcePlusPlus } from './recipes/reinforce-plus-plus';
import { remax } from './recipes/remax';
import { dapo } from './recipes/dapo';
import { gspo } from './recipes/gspo';
import { gmpo } from './recipes/gmpo';
import { cispo } from './recipes/cispo';
import { sapo } from './recipes/sapo';
import { bapo } from './recipes/bapo';
import { dcpo } from './recipes/dcpo';
import { clipCov } from './recipes/clip-cov';
import { klCov } from './recipes/kl-cov';
import { hapo } from './recipes/hapo';
import { xrpo } from './recipes/xrpo';
import { riskpo } from './recipes/riskpo';
import { d3s } from './recipes/d3s';
import { scafGrpo } from './recipes/scaf-grpo';
import { fapo } from './recipes/fapo';
import { searchR1 } from './recipes/search-r1';
import { llds } from './recipes/llds';
import { otcPo } from './recipes/otc-po';
import { toolrl } from './recipes/toolrl';
import { tapo } from './recipes/tapo';
import { codev } from './recipes/codev';
import { vToolRl } from './recipes/v-toolrl';
import { toolStar } from './recipes/tool-star';
import { arpo } from './recipes/arpo';
import { treeGrpo } from './recipes/tree-grpo';
import { portool } from './recipes/portool';
import { toolpo } from './recipes/toolpo';
import { aspo } from './recipes/aspo';
import { swarmSapo } from './recipes/swarm-sapo';
import { mdpo } from './recipes/mdpo';
import { gpg } from './recipes/gpg';
import { thor } from './recipes/thor';
import { agenticMethods } from './agentic-methods';
import { tPpo } from './recipes/t-ppo';
import { verltool } from './recipes/verltool';
import { toolorchestra } from './recipes/toolorchestra';
import { bats } from './recipes/bats';
import { preferenceMethods } from './recipes/preference';
import { withPackages } from './plugin-packages';

export { base } from './recipes/base';
export { ppo } from './recipes/ppo';
export { grpo } from './recipes/grpo';
export { drGrpo } from './recipes/dr-grpo';
export { rloo } from './recipes/rloo';
export { reinforcePlusPlus } from './recipes/reinforce-plus-plus';
export { remax } from './recipes/remax';
export { dapo } from './recipes/dapo';
export { gspo } from './recipes/gspo';
export { gmpo } from './recipes/gmpo';
export { cispo } from './recipes/cispo';
export { sapo } from './recipes/sapo';
export { bapo } from './recipes/bapo';
export { dcpo } from './recipes/dcpo';
export { clipCov } from './recipes/clip-cov';
export { klCov } from './recipes/kl-cov';
export { hapo } from './recipes/hapo';
export { xrpo } from './recipes/xrpo';
export { riskpo } from './recipes/riskpo';
export { d3s } from './recipes/d3s';
export { scafGrpo } from './recipes/scaf-grpo';
export { fapo } from './recipes/fapo';
export { searchR1 } from './recipes/search-r1';
export { llds } from './recipes/llds';
export { otcPo } from './recipes/otc-po';
export { toolrl } from './recipes/toolrl';
export { tapo } from './recipes/tapo';
export { codev } from './recipes/codev';
export { vToolRl } from './recipes/v-toolrl';
export { toolStar } from './recipes/tool-star';
export { arpo } from './recipes/arpo';
export { treeGrpo } from './recipes/tree-grpo';
export { portool } from './recipes/portool';
export { toolpo } from './recipes/toolpo';
export { aspo } from './recipes/aspo';
export { swarmSapo } from './recipes/swarm-sapo';
export { mdpo } from './recipes/mdpo';
export { gpg } from './recipes/gpg';
export { thor, thorMathTask, thorScale } from './recipes/thor';
export { tPpo } from './recipes/t-ppo';
export { verltool } from './recipes/verltool';
export { toolorchestra } from './recipes/toolorchestra';
export { bats, BATS_PROMPT } from './recipes/bats';
export { dpo, simpo, tgdpo, apo, seppo, tpLlama, itool, dapoDa, rto } from './recipes/preference';

/** Every method of this package, parents before children. MATPO's method lives in @tirl/orchestration. */
export const methods: readonly Method[] = [
  base, ppo, grpo, drGrpo, rloo, reinforcePlusPlus, remax, dapo, gspo, gmpo, cispo, sapo, bapo, dcpo, clipCov, klCov, hapo, xrpo, riskpo, d3s, scafGrpo, fapo, searchR1, llds, otcPo, toolrl, tapo, toolStar, arpo, treeGrpo, portool, toolpo, aspo, swarmSapo, mdpo, gpg, tPpo, thor,
  ...agenticMethods,
  codev,
  vToolRl,
  verltool,
  toolorchestra,
  bats,
  ...preferenceMethods,
].map(withPackages);

export { PLUGIN_PACKAGES } from './plugin-packages';
export * from './agentic-methods';

/** The papers' runs by name (`tirl train --recipe dapo`): method × task × scale, each part named (MATPO's method comes from @tirl/orchestration). */
const paperRuns: [recipe: string, task: string, scale?: string][] = [
  ['ppo', 'math', 'ppo'],
  ['grpo', 'math', 'deepseekmath'],
  ['dr-grpo', 'math', 'deepseekmath'],
  ['rloo', 'math', 'rloo'],
  ['reinforce-plus-plus', 'math'],
  ['remax', 'math'],
  ['dapo', 'dapo-math', 'dapo'],
  ['gspo', 'math', 'deepseekmath'],
  ['gmpo', 'math', 'deepseekmath'],
  ['cispo', 'math', 'deepseekmath'],
  ['sapo', 'math', 'deepseekmath'],
  ['bapo', 'math', 'deepseekmath'],
  ['dcpo', 'math', 'deepseekmath'],
  ['clip-cov', 'math', 'deepseekmath'],
  ['kl-cov', 'math', 'deepseekmath'],
  ['hapo', 'math', 'deepseekmath'],
  ['xrpo', 'math', 'deepseekmath'],
  ['riskpo', 'math', 'deepseekmath'],
  ['d3s', 'math', 'deepseekmath'],
  ['scaf-grpo', 'math', 'deepseekmath'],
  ['fapo', 'dapo-math', 'dapo'],
  ['search-r1', 'search-qa', 'search-r1'],
  ['llds', 'search-qa', 'search-r1'],
  ['otc-po', 'search-qa', 'search-r1'],
  ['toolrl', 'hermes-qa', 'toolrl'],
  ['tapo', 'math', 'tapo'],
  ['tool-star', 'search-python-qa', 'tool-star'],
  ['arpo', 'search-python-qa', 'arpo'],
  ['tree-grpo', 'search-qa', 'tree-grpo'],
  ['portool', 'search-python-qa', 'tool-star'],
  ['toolpo', 'hermes-qa', 'toolpo'],
  ['aspo', 'dapo-math-python', 'dapo'],
  ['matpo', 'matpo-qa', 'matpo'],
  ['swarm-sapo', 'math', 'rl-swarm'],
  ['mdpo', 'math'],
  ['gpg', 'math', 'gpg'],
  ['thor', 'thor-math', 'thor'],
  ['t-ppo', 'math', 'ppo'],
  ['verltool', 'search-qa', 'search-r1'],
  ['toolorchestra', 'hermes-qa', 'toolorchestra'],
  ['bats', 'search-qa', 'search-r1'],
  ['dpo', 'preference-pairs'],
  ['simpo', 'preference-pairs'],
  ['tgdpo', 'preference-pairs'],
  ['apo', 'math'],
  ['seppo', 'preference-pairs'],
  ['tp-llama', 'hermes-qa'],
  ['itool', 'hermes-qa'],
  ['dapo-da', 'math'],
  ['rto', 'math', 'ppo'],
];

export const recipes: readonly Recipe[] = paperRuns.map(([name, task, scale]) => defineRecipe({ name, method: name, task, ...(scale ? { scale } : {}) }));

export { tasks } from './tasks';
export { scales } from './scales';
export * from './tasks';
export * from './scales';

/** This package defines no plugins: recipes only name plugins of other packages. */
export const plugins: readonly AnyPluginDefinition[] = [];
