import { KIND_TEMPLATES } from './kind-templates';

/** The names a plugin's files are written from; `camel` is the plugin name in camelCase. */
export interface PluginNames {
  kind: string;
  name: string;
  camel: string;
  summary: string;
}

/** Where the built-in packages keep each kind under `src/` (a new package follows the same layout). */
export const KIND_FOLDERS: Readonly<Record<string, string>> = {
  advantage: 'advantage',
  advantageTransform: 'transform',
  objective: 'objectives',
  aggregation: 'aggregations',
  regularizer: 'regularizers',
  reward: 'rewards',
  sampler: 'prompt',
  filter: 'filters',
  rollout: 'strategies',
  toolFormat: 'formats',
  tool: 'tools',
  memory: 'memory',
  router: 'router',
  metricSink: 'metrics',
  preference: 'losses',
  pairs: 'pairs',
  referenceSchedule: 'reference',
};

/** The kinds a plugin can be scaffolded for. */
export const SCAFFOLD_KINDS: readonly string[] = Object.keys(KIND_TEMPLATES);

/** `length-bonus` → `lengthBonus`. */
export const camelCase = (kebab: string) => kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The plugin's definition: the smallest correct plugin of its kind, which passes the kind's kit. */
export const definitionFile = (n: PluginNames) => {
  const t = KIND_TEMPLATES[n.kind];
  return `${t.imports ? `${t.imports}\n` : ''}import { definePlugin } from '@tirl/core';
import { z } from 'zod';

/**
 * ${n.summary}.
 * Scaffold: the smallest correct ${n.kind} plugin, which passes its kind's kit. Replace the body with the
 * method, the paper with its provenance, and the options with the method's (each with a default).
 */
export const ${n.camel} = definePlugin({
  kind: '${n.kind}',
  name: '${n.name}',
  summary: '${n.summary.replace(/'/g, "\\'")}',
  paper: { title: 'TODO: paper title', arxiv: '0000.00000', section: 'TODO' },
  options: z
    .object({
      ${t.options}
    })
    .strict(),
  create: ${t.create},
});
`;
};

/** The plugin's test: its kind's behavioural kit from `@tirl/core/testing` (add fixture tables with hand-derived numbers). */
export const testFile = (n: PluginNames, importPath: string) => {
  const t = KIND_TEMPLATES[n.kind];
  return `import { ${t.kit} } from '@tirl/core/testing';
import { ${n.camel} } from '${importPath}';

${t.kit}(${n.camel}, {
  valid: ${t.valid},
  invalid: ${t.invalid},
${t.kitExtra ? `${t.kitExtra}\n` : ''}});
`;
};
