import { parseOptions, type PromptSampler, type Sample } from '@tirl/core';
import { makeTrajectory, runSamplerKit, testPluginContext } from '@tirl/core/testing';
import { bestCandidate, bm25Scores, demoPrompt, demoRetrieval, exemplarSampler, exemplarsFor, xrpoAllocator } from '../src';

runSamplerKit(exemplarSampler, { invalid: [{ options: { k: 0 }, field: 'k' }, { options: { selection: 'best' }, field: 'selection' }] });
runSamplerKit(demoRetrieval, { valid: { demonstrations: ['Task: question 1\nAction:\nf(1)'], apiDocs: ['f(x)'] }, invalid: [{ options: { topKExamples: -1 }, field: 'topKExamples' }] });
runSamplerKit(xrpoAllocator, { valid: { seedExemplars: 2 }, invalid: [{ options: { seedExemplars: -1 }, field: 'seedExemplars' }] });

const make = (def: typeof exemplarSampler | typeof xrpoAllocator | typeof demoRetrieval, options: Record<string, unknown>, data: Sample[]) => {
  const s = def.create(parseOptions(def.id, def.options, options) as never, testPluginContext(def.id, {}, 1)) as PromptSampler;
  s.setDataset(data);
  return s;
};
const q = (id: string, content: string): Sample => ({ id, messages: [{ role: 'user', content }] });
/** A root rollout whose policy text is `text`. */
const answer = (id: string, text: string) => {
  const t = makeTrajectory({ id, segments: [['prompt', 1], ['policy', 2]] });
  t.segments[1].text = text;
  return t;
};

describe('exemplar selection (Teach Better or Show Smarter?)', () => {
  it('worked example: the best of S1 {1,2}, S2 {2,4}, S3 {3,5} under "number of even ids" is S2; item 2 sees S2 \\ {2}', () => {
    // Scores [1, 2, 0]: S1 has one even id (2), S2 two (2, 4), S3 none → argmax = index 1 (S2).
    const sets = [['1', '2'], ['2', '4'], ['3', '5']];
    expect(bestCandidate(sets.map((s) => s.filter((id) => Number(id) % 2 === 0).length))).toBe(1);
    expect(bestCandidate([1, 2, 2])).toBe(1);
    expect(exemplarsFor(sets[1], '2')).toEqual(['4']);
  });

  it("puts the policy's own verified answers before a prompt as chat turns, never the prompt's own", () => {
    const data = [q('a', 'What is 1+1?'), q('b', 'What is 2+2?'), q('c', 'What is 3+3?')];
    const s = make(exemplarSampler, { k: 2, selection: 'random', shuffle: false }, data);
    // Before any success the prompts are bare.
    expect(s.next(3, 0).map((p) => p.sample.messages.length)).toEqual([1, 1, 1]);
    // a and b are solved (reward 1 ≥ threshold 1), c is not.
    s.observe!([
      { sampleId: 'a', rewards: [0, 1], trajectories: [answer('a0', 'wrong'), answer('a1', '1+1 = 2. <answer>2</answer>')] },
      { sampleId: 'b', rewards: [1], trajectories: [answer('b0', '<answer>4</answer>')] },
      { sampleId: 'c', rewards: [0], trajectories: [answer('c0', '7')] },
    ]);
    const [pa, , pc] = s.next(3, 1).map((p) => p.sample);
    // a may only see b's exemplar; c sees both (k = 2), each as a user question then the assistant answer.
    expect(pa.messages).toEqual([
      { role: 'user', content: 'What is 2+2?' },
      { role: 'assistant', content: '<answer>4</answer>' },
      { role: 'user', content: 'What is 1+1?' },
    ]);
    expect(pc.messages.filter((m) => m.role === 'assistant').map((m) => m.content).sort()).toEqual(['1+1 = 2. <answer>2</answer>', '<answer>4</answer>']);
    expect(pc.meta?.exemplars).toHaveLength(2);
  });

  it('search: tries each candidate set once on the next prompts, then serves the one whose groups scored best', () => {
    const data = ['a', 'b', 'c', 'd', 'e'].map((id) => q(id, `question ${id}`));
    const s = make(exemplarSampler, { k: 1, selection: 'search', candidates: 2, shuffle: false }, data);
    s.next(2, 0);
    s.observe!([
      { sampleId: 'a', rewards: [1], trajectories: [answer('a0', 'A')] },
      { sampleId: 'b', rewards: [1], trajectories: [answer('b0', 'B')] },
    ]);
    // Step 1 serves c with candidate 0 and d with candidate 1; c's group scores 0, d's 1 → candidate 1 wins.
    const served = s.next(2, 1).map((p) => p.sample.meta?.exemplars as string[]);
    s.observe!([
      { sampleId: 'c', rewards: [0, 0] },
      { sampleId: 'd', rewards: [1, 1] },
    ]);
    const winner = served[1];
    expect(s.next(1, 2)[0].sample.meta?.exemplars).toEqual(winner);
  });
});

describe('XRPO in-context seeding (sampler/xrpo-allocator seedExemplars)', () => {
  const data = [q('p1', 'integrate x squared'), q('p2', 'integrate x cubed'), q('p3', 'capital of France')];
  const allocator = () => make(xrpoAllocator, { seedExemplars: 1, rolloutsPerPrompt: 2, shuffle: false }, data);

  it('seeds a prompt whose group rewards are [0, 0, 0, 0] with the nearest solved question, not one with [0, 1, 0, 0]', () => {
    const s = allocator();
    s.next(3, 0);
    s.observe!([
      { sampleId: 'p1', rewards: [0, 1, 0, 0], trajectories: [answer('1a', 'x'), answer('1b', 'x^3/3'), answer('1c', 'x'), answer('1d', 'x')] },
      { sampleId: 'p2', rewards: [0, 0, 0, 0], trajectories: [answer('2a', 'no'), answer('2b', 'no'), answer('2c', 'no'), answer('2d', 'no')] },
      { sampleId: 'p3', rewards: [1, 1], trajectories: [answer('3a', 'Paris'), answer('3b', 'Paris')] },
    ]);
    const next = s.next(3, 1).map((p) => p.sample);
    // p2 failed everywhere → seeded; "integrate x cubed" shares "integrate" and "x" with p1's question and
    // nothing with p3's, so BM25 ranks p1 first. p1 (one success) and p3 are not seeded.
    expect(next[1].messages).toEqual([
      { role: 'user', content: 'integrate x squared' },
      { role: 'assistant', content: 'x^3/3' },
      { role: 'user', content: 'integrate x cubed' },
    ]);
    expect(next[0].messages).toHaveLength(1);
    expect(next[2].messages).toHaveLength(1);
    // A success ends the seeding of p2.
    s.observe!([{ sampleId: 'p2', rewards: [1, 0], trajectories: [answer('2e', 'x^4/4'), answer('2f', 'no')] }]);
    expect(s.next(3, 2)[1].sample.messages).toHaveLength(1);
  });
});

describe('demonstration retrieval (On the Tool Manipulation Capability of Open-source LLMs)', () => {
  it('builds the worked-example prompt: one API doc, no examples', () => {
    expect(demoPrompt('weather in Paris', ['get_weather(city)'], [])).toBe('I have the following set of API:\n\nget_weather(city)\n-------------\n\nTask: weather in Paris\nAction:\n');
  });

  it('scores BM25 by hand: one matching term in a document of average length scores its idf, ln 2', () => {
    // N = 2, n(weather) = 1: idf = ln((2 − 1 + 0.5)/(1 + 0.5) + 1) = ln 2; |d| = avgdl = 3, f = 1:
    // 1·(1.5 + 1)/(1 + 1.5·(1 − 0.75 + 0.75·1)) = 2.5/2.5 = 1 → 0.693147; the other document 0.
    const [a, b] = bm25Scores('weather', ['get weather city', 'get cat image']);
    expect(a).toBeCloseTo(Math.log(2), 6);
    expect(b).toBe(0);
  });

  it('retrieves the most similar demonstrations (top_k_example) and API docs for each task', () => {
    const s = make(demoRetrieval, {
      demonstrations: ['Task: weather in Rome\nAction:\nget_weather("Rome")', 'Task: a cat picture\nAction:\nget_cat()', 'Task: weather tomorrow in Oslo\nAction:\nget_weather("Oslo")'],
      apiDocs: ['get_weather(city)', 'get_cat()'],
      topKExamples: 1,
      topKApi: 1,
      shuffle: false,
    }, [q('t', 'weather in Paris')]);
    const prompt = s.next(1, 0)[0].sample.messages.at(-1)!.content;
    // "weather in Paris" shares "weather" and "in" with the Rome demo (3 words shorter than the Oslo one).
    expect(prompt).toBe('I have the following set of API:\n\nget_weather(city)\n-------------\nI have the following set of examples:\n\nTask: weather in Rome\nAction:\nget_weather("Rome")\n-------------\nTask: weather in Paris\nAction:\n');
  });
});
