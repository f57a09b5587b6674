import { Rng, type PluginEntry, type Sample } from '@tirl/core';
import { allPlainNames, madeUpNames } from './names';
import { callArgument, lastObservation, type DemoTask } from './types';
import { docId } from './doc-ids';

export interface MultihopTaskOptions {
  seed: number;
  /** Countries in the knowledge base (each has its own capital, and each capital its own mayor). */
  entities: number;
  /** Countries held out for evaluation (at most a quarter of them, at least one). */
  heldOut: number;
  /** `single`: one agent searches twice; `matpo`: a planner delegates each hop to a worker that searches. */
  agents: 'single' | 'matpo';
}

/** The planner's and workers' role prompts: a model trained from scratch tells roles apart by them. */
export const PLANNER_PROMPT = 'Planner.';
export const WORKER_PROMPT = 'Worker.';

/**
 * Two-hop questions over a made-up knowledge base: "Mayor of capital of Pureti?" needs the capital of
 * Pureti (one search), then the mayor of that capital (a second search whose query is the first result).
 * Every hop is a subtask "capital Pureti" / "mayor Nake" that a search for exactly those words answers.
 */
export function multihopTask(o: MultihopTaskOptions): DemoTask {
  const rng = new Rng(o.seed).fork('multihop-task');
  const countries = madeUpNames(rng, o.entities, 3, new Set(), false);
  const capitals = madeUpNames(rng, o.entities, 2, new Set(countries), false);
  // Capitals are unique, so a search for "mayor <capital>" finds one city; mayors come from the two-syllable
  // names left over and may repeat (there are only 70² such names).
  const taken = new Set(capitals);
  const pool = allPlainNames(2).filter((n) => !taken.has(n));
  if (pool.length < 100) throw new Error(`demo: multihop needs at most ${allPlainNames(2).length - 100} entities, got ${o.entities}`);
  const mayors = capitals.map(() => pool[rng.int(pool.length)]);
  const docs = [
    ...countries.map((c, i) => ({ id: docId('c', i, countries.length), title: c, text: `capital ${capitals[i]}` })),
    ...capitals.map((c, i) => ({ id: docId('t', i, capitals.length), title: c, text: `mayor ${mayors[i]}` })),
  ];
  const samples: Sample[] = countries.map((country, i) => ({
    id: `q${i}`,
    messages: [{ role: 'user', content: `Mayor of capital of ${country}?` }],
    answer: mayors[i],
    meta: { entity: country, capital: capitals[i] },
  }));
  const heldOutCount = Math.max(1, Math.min(o.heldOut, Math.floor(o.entities / 4)));
  const search: PluginEntry = ['tool/search', { docs, k: 1, snippetChars: 20 }];
  const toolPlugins: PluginEntry[] =
    o.agents === 'single'
      ? [['toolFormat/xml-tags-compact', { tags: ['search'] }], search]
      : [
          // Several calls per turn are allowed (MATPO's planner may delegate more than once per turn): a turn ends at EOS.
          ['toolFormat/xml-tags-compact', { tags: ['delegate', 'search'], stopAfterCall: false }],
          search,
          [
            'router/matpo',
            {
              plannerPrompt: PLANNER_PROMPT,
              workerPrompt: WORKER_PROMPT,
              workerTools: ['search'],
              recapQuery: false,
              forceSummary: false,
              workerMaxTurns: 2,
            },
          ],
        ];
  return {
    name: o.agents === 'single' ? 'multihop' : 'multihop-matpo',
    train: samples.slice(heldOutCount),
    heldOut: samples.slice(0, heldOutCount),
    toolPlugins,
    maxNewTokens: 40,
    limits: { maxTurns: 3, maxTotalTokens: 320, maxToolCalls: 3 },
    teacher: multihopTeacher,
    isFaithfulCall: (s, args) => {
      const arg = callArgument(args).toLowerCase();
      return arg.includes(String(s.meta?.entity).toLowerCase()) || arg.includes(String(s.meta?.capital).toLowerCase());
    },
  };
}

const QUESTION = /Mayor of capital of ([A-Za-z]+)\?/;

/**
 * The expert for every role: a worker searches its subtask and answers with the name the result gives;
 * the single agent or planner (which one: the tool its prompt offers) asks for the capital, then for its
 * mayor, then answers.
 */
export function multihopTeacher(context: string): string {
  const observation = lastObservation(context);
  const question = context.match(QUESTION);
  if (!question) {
    if (observation === undefined) {
      const subtask = context.match(/(capital|mayor) ([A-Za-z]+)/);
      if (!subtask) throw new Error('demo: the multihop teacher found neither a question nor a subtask in its context');
      return `<search>${subtask[0]}</search>`;
    }
    return `<answer>${nameIn(observation)}</answer>`;
  }
  const tool = context.includes('<delegate>') ? 'delegate' : 'search';
  const hops = context.split('<result>').length - 1;
  if (hops === 0) return `<${tool}>capital ${question[1]}</${tool}>`;
  if (hops === 1) return `<${tool}>mayor ${nameIn(observation!)}</${tool}>`;
  return `<answer>${nameIn(observation!)}</answer>`;
}

/** The name a search result or a worker's report gives (the last capitalised word). */
function nameIn(observation: string): string {
  const names = observation.match(/(?<![A-Za-z])[A-Z][a-z]+/g) ?? [];
  const answer = observation.match(/<answer>([A-Za-z]+)<\/answer>/);
  const name = answer?.[1] ?? names.at(-1);
  if (!name) throw new Error(`demo: the multihop teacher found no name in the observation ${JSON.stringify(observation)}`);
  return name;
}
