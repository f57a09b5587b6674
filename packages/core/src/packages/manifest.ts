import { z } from 'zod';
import { TirlError } from '../errors';
import { formatIssues } from '../plugin/options';

const names = z.array(z.string().min(1));

/**
 * What a package provides to tirl: the `tirl` field of its `package.json`. Each list names what the
 * package's entry point exports under the same key (`plugins` by id, the others by `name`).
 */
export const manifestSchema = z
  .object({
    /** Plugin ids (`kind/name`) in the exported `plugins` list. */
    plugins: names.optional(),
    /** Recipe names in the exported `recipes` list. */
    recipes: names.optional(),
    /** Method, task and scale names in the exported `methods`, `tasks` and `scales` lists. */
    methods: names.optional(),
    tasks: names.optional(),
    scales: names.optional(),
    /** Service names in the exported `services` list (`defineService`). */
    services: names.optional(),
    /** Plugin kinds this package adds, with what one instance must have. */
    kinds: z
      .record(z.string(), z.object({ cardinality: z.enum(['single', 'multi']), methods: names }).strict())
      .optional(),
    /** Tensor backends: `register` is an exported `fn(tf) → { ok, tfBackend?, detail?, reason? }`. */
    backends: z.array(z.object({ name: z.string().min(1), register: z.string().min(1) }).strict()).optional(),
  })
  .strict();

export type TirlManifest = z.output<typeof manifestSchema>;

/** Collections a package exports by name, listed in its manifest under the same key. */
export type NamedCollection = 'recipes' | 'methods' | 'tasks' | 'scales' | 'services';

export function parseManifest(packageName: string, raw: unknown): TirlManifest {
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new TirlError(`${packageName}: the "tirl" field of its package.json is invalid: ${formatIssues(parsed.error.issues)}`, 'invalid-data');
  }
  return parsed.data;
}
