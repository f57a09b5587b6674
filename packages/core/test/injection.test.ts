import { z } from 'zod';
import {
  createExperiment,
  defineService,
  definePlugin,
  kindToken,
  packagesFromModules,
  pluginToken,
  resolveRecipe,
  Tokens,
  type Logger,
  type Tokenizer,
} from '../src';

const noPackages = packagesFromModules({});
const run = (ids: string[]) => resolveRecipe({ name: 'r', plugins: ids.map((id) => [id] as const) }, undefined, { recipes: [] });
const tokenizer = { vocabSize: 7 } as unknown as Tokenizer;

/** A reward that counts how often it was built, so a test can see the container creates each plugin once. */
let judgeBuilds = 0;
const judge = definePlugin({
  kind: 'reward',
  name: 'judge',
  summary: 'test double: a reward another plugin depends on',
  options: z.object({ bar: z.number().default(0.5) }).strict(),
  create: (o) => (judgeBuilds++, { score: () => ({ scores: [] }), bar: o.bar }),
});
const gated = definePlugin({
  kind: 'reward',
  name: 'gated',
  summary: 'test double: a reward that injects the tokenizer, the judge reward, the tools and its own options',
  options: z.object({ weight: z.number().default(2) }).strict(),
  inject: { tokenizer: Tokens.tokenizer, judge: pluginToken('reward/judge'), tools: Tokens.tools },
  create: (_o, ctx) => ({ score: () => ({ scores: [] }), services: ctx.services, options: ctx.resolve(Tokens.options), rng: ctx.resolve(Tokens.pluginRng) }),
});
const search = definePlugin({
  kind: 'tool',
  name: 'search',
  summary: 'test double of a tool',
  options: z.object({}).strict(),
  create: () => ({ name: 'search', description: 'd', parameters: { type: 'object' }, call: async () => ({ content: '' }) }) as never,
});
const needsPolicy = definePlugin({
  kind: 'reward',
  name: 'needs-policy',
  summary: 'test double: injects a policy nobody registered',
  options: z.object({}).strict(),
  inject: { judgeModel: Tokens.policy },
  create: () => ({ score: () => ({ scores: [] }) }),
});
const loopA = definePlugin({
  kind: 'reward',
  name: 'loop-a',
  summary: 'test double: needs loop-b',
  options: z.object({}).strict(),
  inject: { other: pluginToken('reward/loop-b') },
  create: () => ({ score: () => ({ scores: [] }) }),
});
const loopB = definePlugin({
  kind: 'reward',
  name: 'loop-b',
  summary: 'test double: needs loop-a',
  options: z.object({}).strict(),
  inject: { other: pluginToken('reward/loop-a') },
  create: () => ({ score: () => ({ scores: [] }) }),
});

describe('the experiment container creates plugins and provides services by token', () => {
  beforeEach(() => (judgeBuilds = 0));

  it('creates a plugin another one injects first, once, and hands both the same instance', async () => {
    // gated comes before judge in the run, so the container has to build judge on demand.
    const exp = createExperiment(run(['reward/gated', 'reward/judge', 'tool/search']), {
      plugins: [judge, gated, search],
      packages: noPackages,
      services: [[Tokens.tokenizer, tokenizer]],
    });
    const [g, j] = exp.getAll('reward') as unknown as [{ services: Record<string, unknown>; options: unknown; rng: unknown }, { bar: number }];
    expect(judgeBuilds).toBe(1);
    expect(g.services.judge).toBe(j);
    expect(g.services.tokenizer).toBe(tokenizer);
    expect([...(g.services.tools as Map<string, unknown>).keys()]).toEqual(['search']);
    expect(g.options).toEqual({ weight: 2 });
    expect(exp.container.resolve(pluginToken('reward/judge'))).toBe(j);
    expect(exp.container.resolveAll(kindToken('reward'))).toEqual([g, j]);
    await exp.dispose();
  });

  it('fails before any work when an injected token has no provider, naming the plugin, the key and the token', () => {
    expect(() => createExperiment(run(['reward/needs-policy']), { plugins: [needsPolicy], packages: noPackages })).toThrow(
      'Plugin "reward/needs-policy" needs tirl:policy (inject.judgeModel), which nothing in this experiment provides.',
    );
  });

  it('refuses plugins that need each other', () => {
    expect(() => createExperiment(run(['reward/loop-a', 'reward/loop-b']), { plugins: [loopA, loopB], packages: noPackages })).toThrow(
      'Plugins need each other in a cycle: reward/loop-a -> reward/loop-b -> reward/loop-a',
    );
  });

  it("a package's service replaces the host's under the same token for one experiment only", async () => {
    const lines: string[] = [];
    const quietLogger = defineService({
      name: 'prefixed-logger',
      summary: 'test double: a logger that keeps lines with a prefix',
      token: Tokens.logger,
      options: z.object({ prefix: z.string().default('>') }).strict(),
      create: (o): Logger => ({ info: (m) => lines.push(`${o.prefix} ${m}`), warn: (m) => lines.push(`${o.prefix} ! ${m}`) }),
    });
    const packages = packagesFromModules({
      'tirl-logging': { manifest: { services: ['prefixed-logger'] }, exports: { services: [quietLogger] } },
    });
    const hostLogger: Logger = { info: () => undefined, warn: () => undefined };
    const overridden = createExperiment(run([]), { packages, services: [[Tokens.logger, hostLogger]], serviceOverrides: [['prefixed-logger', { prefix: 'run1' }]] });
    overridden.container.resolve(Tokens.logger).info('hello');
    expect(lines).toEqual(['run1 hello']);
    const plain = createExperiment(run([]), { packages, services: [[Tokens.logger, hostLogger]] });
    expect(plain.container.resolve(Tokens.logger)).toBe(hostLogger);
    expect(() => createExperiment(run([]), { packages, serviceOverrides: [['prefixed-loger']] })).toThrow(
      'Unknown service "prefixed-loger". Known: prefixed-logger. Did you mean "prefixed-logger"?',
    );
    expect(() => createExperiment(run([]), { packages, serviceOverrides: [['prefixed-logger', { prefix: 3 }]] })).toThrow('prefix');
    await overridden.dispose();
    await plain.dispose();
  });
});
