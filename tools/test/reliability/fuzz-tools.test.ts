import { monitorEventLoopDelay } from 'node:perf_hooks';
import fc from 'fast-check';
import { Rng, type RolloutInput, type Tool, type ToolFormat, type ToolResult } from '@tirl/core';
import { ScriptedPolicy } from '@tirl/core/testing';
import { HermesFormat, linearRollout, XmlTagsFormat } from '@tirl/rollout-tree';

// Hostile tool calls through the real engine: tools that throw odd values, return huge, binary or
// malformed results, hang or crash later; model turns with prototype-named keys, malformed JSON and
// unknown or malformed tags, in both formats. Property: every requested rollout comes back finished,
// and every call is recorded with a string observation. Fixed seed, bounded sizes.

const SEED = 20261205;
const RUNS = 400;

type Behaviour =
  | { kind: 'ok'; text: string }
  | { kind: 'throw'; value: 'error' | 'null-proto' | 'getter' | 'proxy' | 'symbol' | 'undefined' | 'string' | 'number' }
  | { kind: 'huge'; chars: number }
  | { kind: 'binary'; codes: number[] }
  | { kind: 'malformed'; value: 'null' | 'number' | 'no-observation' | 'getter' | 'proxy' }
  | { kind: 'hang' }
  | { kind: 'late-crash'; ms: number }
  | { kind: 'slow'; ms: number };

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.record({ kind: fc.constant('ok' as const), text: fc.string({ maxLength: 40 }) }),
  fc.record({ kind: fc.constant('throw' as const), value: fc.constantFrom('error', 'null-proto', 'getter', 'proxy', 'symbol', 'undefined', 'string', 'number') }),
  fc.record({ kind: fc.constant('huge' as const), chars: fc.integer({ min: 10_000, max: 2_000_000 }) }),
  fc.record({ kind: fc.constant('binary' as const), codes: fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 300 }) }),
  fc.record({ kind: fc.constant('malformed' as const), value: fc.constantFrom('null', 'number', 'no-observation', 'getter', 'proxy') }),
  fc.record({ kind: fc.constant('hang' as const) }),
  fc.record({ kind: fc.constant('late-crash' as const), ms: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('slow' as const), ms: fc.integer({ min: 0, max: 20 }) }),
);

const throwing = (value: Extract<Behaviour, { kind: 'throw' }>['value']): unknown => {
  switch (value) {
    case 'error':
      return new Error('tool error');
    case 'null-proto':
      return Object.create(null);
    case 'getter':
      return Object.defineProperty({}, 'message', { get: () => { throw Object.create(null); } });
    case 'proxy':
      return new Proxy({}, { get: () => { throw new Error('trap'); }, getPrototypeOf: () => { throw new Error('trap'); } });
    case 'symbol':
      return Symbol('x');
    case 'undefined':
      return undefined;
    case 'string':
      return 'thrown string';
    case 'number':
      return 42;
  }
};

const malformed = (value: Extract<Behaviour, { kind: 'malformed' }>['value']): unknown => {
  switch (value) {
    case 'null':
      return null;
    case 'number':
      return 7;
    case 'no-observation':
      return { ok: true };
    case 'getter':
      return Object.defineProperty({ ok: true }, 'observation', { get: () => { throw Object.create(null); } });
    case 'proxy':
      return new Proxy({}, { get: () => { throw new Error('trap'); } });
  }
};

function hostileTool(name: string, b: Behaviour): Tool {
  return {
    name,
    description: `${name} tool`,
    parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false },
    async call(): Promise<ToolResult> {
      switch (b.kind) {
        case 'ok':
          return { ok: true, observation: b.text };
        case 'throw':
          throw throwing(b.value);
        case 'huge':
          return { ok: true, observation: 'y'.repeat(b.chars) };
        case 'binary':
          return { ok: true, observation: String.fromCharCode(...b.codes) };
        case 'malformed':
          return malformed(b.value) as ToolResult;
        case 'hang':
          return new Promise<ToolResult>(() => undefined);
        case 'late-crash':
          await new Promise((r) => setTimeout(r, b.ms));
          throw Object.create(null);
        case 'slow':
          await new Promise((r) => setTimeout(r, b.ms));
          return { ok: true, observation: 'slow' };
      }
    },
  };
}

const TOOLS = ['alpha', 'beta', 'gamma'];
const argKey = fc.constantFrom('q', 'toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty', 'x');
const argValue = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
const toolName = fc.constantFrom(...TOOLS, 'missing', 'ALPHA');

/** One model turn in the hermes format: calls (valid or not), broken JSON, near-miss tags, plain text. */
const hermesTurn = fc.oneof(
  fc.tuple(toolName, fc.dictionary(argKey, argValue, { maxKeys: 3 })).map(([name, args]) => `<tool_call>{"name": ${JSON.stringify(name)}, "arguments": ${JSON.stringify(args).replace('"x"', '"__proto__"')}}</tool_call>`),
  fc.string({ maxLength: 30 }).map((s) => `<tool_call>{"name": "alpha", "arguments": ${s}</tool_call>`),
  fc.constantFrom('<TOOL_CALL>{"name":"alpha","arguments":{"q":"a"}}</TOOL_CALL>', '<tool_call >{}</tool_call>', '<tool_call>{"name":"alpha"', '<tool_call><tool_call></tool_call>'),
  fc.string({ maxLength: 30 }),
);

/** One model turn in the xml-tags format: tool tags, unknown and malformed tags, unclosed tags, text. */
const xmlTurn = fc.oneof(
  fc.tuple(toolName, fc.string({ maxLength: 20 })).map(([name, body]) => `<${name}>${body.replace(/[<>]/g, '')}</${name}>`),
  fc.constantFrom('<calculator>2+2</calculator>', '<SEARCH>x</SEARCH>', '<alpha >x</alpha>', '<alpha>unclosed', '<think>hm</think>', '<alpha><beta>x</beta></alpha>'),
  fc.string({ maxLength: 30 }),
);

const scenario = fc.record({
  format: fc.constantFrom('hermes', 'xml'),
  behaviours: fc.tuple(behaviour, behaviour, behaviour),
  samples: fc.integer({ min: 1, max: 3 }),
  rollouts: fc.integer({ min: 1, max: 3 }),
  hermes: fc.array(hermesTurn, { minLength: 1, maxLength: 3 }),
  xml: fc.array(xmlTurn, { minLength: 1, maxLength: 3 }),
  maxTotalTokens: fc.integer({ min: 64, max: 4096 }),
});

function makeFormat(kind: string): ToolFormat {
  return kind === 'hermes'
    ? new HermesFormat({ stopAfterCall: true, observationPrefix: '\n', observationSuffix: '\n' })
    : new XmlTagsFormat({ tags: TOOLS, answerTag: 'answer', observationTag: 'result' });
}

describe('fuzz: hostile tool calls through the engine never lose a rollout', () => {
  const figures = { scenarios: 0, callsTried: 0, rolloutsRequested: 0, rolloutsCompleted: 0, rolloutsLost: 0, peakRssMb: 0 };
  afterAll(() => console.log(JSON.stringify({ fuzz: figures })));

  it('holds for every generated scenario (fixed seed)', async () => {
    const sampleRss = () => (figures.peakRssMb = Math.max(figures.peakRssMb, process.memoryUsage().rss / 2 ** 20));
    const sampler = setInterval(sampleRss, 5);
    try {
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          const turns = s.format === 'hermes' ? s.hermes : s.xml;
          const final = s.format === 'hermes' ? 'done' : '<answer>done</answer>';
          const policy = new ScriptedPolicy({ script: ({ rowTurn }) => turns[rowTurn] ?? final, maxContext: 8192 });
          const input: RolloutInput = {
            samples: Array.from({ length: s.samples }, (_, i) => ({ sample: { id: `s${i}`, messages: [{ role: 'user', content: 'go' }] }, rollouts: s.rollouts })),
            policy,
            tools: TOOLS.map((name, i) => hostileTool(name, s.behaviours[i])),
            toolFormat: makeFormat(s.format),
            decode: { maxNewTokens: 256 },
            limits: { maxTurns: 4, maxTotalTokens: s.maxTotalTokens, maxToolCalls: 6, toolTimeoutMs: 30, concurrency: 4 },
            rng: new Rng(1),
            step: 0,
          };
          const requested = s.samples * s.rollouts;
          figures.scenarios += 1;
          figures.rolloutsRequested += requested;
          let done = 0;
          try {
            const out = await linearRollout.create({ budgetLine: false, maxSpawnDepth: 2, entropyTokens: 20, countSharedOnce: true }, {} as never).rollout(input);
            const roots = out.trees.flatMap((t) => t.trajectories).filter((t) => t.parentId === undefined);
            done = roots.filter((t) => t.finishReason !== undefined).length;
            for (const t of roots) {
              figures.callsTried += t.toolCalls.length;
              for (const c of t.toolCalls) if (typeof c.observation !== 'string') return false;
            }
          } finally {
            figures.rolloutsCompleted += done;
            figures.rolloutsLost += requested - done;
            sampleRss();
          }
          return done === requested;
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    } finally {
      clearInterval(sampler);
    }
    expect(figures.rolloutsLost).toBe(0);
    expect(figures.callsTried).toBeGreaterThan(RUNS);
  }, 120_000);
});

describe('a 100 MB observation', () => {
  it('is cut without stalling the event loop (4 rollouts share it)', async () => {
    // Made before the measurement: the tool's own cost is not the engine's.
    const huge = Buffer.alloc(100 * 2 ** 20, 'z').toString('latin1');
    const tool: Tool = { name: 'alpha', description: 'huge', parameters: { type: 'object' }, call: async () => ({ ok: true, observation: huge }) };
    const policy = new ScriptedPolicy({ script: ({ rowTurn }) => (rowTurn === 0 ? '<tool_call>{"name": "alpha", "arguments": {}}</tool_call>' : 'done') });
    const input: RolloutInput = {
      samples: [{ sample: { id: 's', messages: [{ role: 'user', content: 'go' }] }, rollouts: 4 }],
      policy,
      tools: [tool],
      toolFormat: makeFormat('hermes'),
      decode: { maxNewTokens: 256 },
      limits: { maxTurns: 4, maxTotalTokens: 4096, maxToolCalls: 4, toolTimeoutMs: 10_000, concurrency: 4 },
      rng: new Rng(1),
      step: 0,
    };
    const rssBefore = process.memoryUsage().rss / 2 ** 20;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss / 2 ** 20)), 5);
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    // A 1 ms heartbeat: the longest gap between its beats is the longest stall, as the histogram says too.
    let last = performance.now();
    let longestGap = 0;
    const heartbeat = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 1);
    const started = performance.now();
    const out = await linearRollout.create({ budgetLine: false, maxSpawnDepth: 2, entropyTokens: 20, countSharedOnce: true }, {} as never).rollout(input);
    const ms = performance.now() - started;
    // Let both monitors see the loop once more, so a stall at the very end is counted.
    await new Promise((r) => setTimeout(r, 20));
    delay.disable();
    clearInterval(heartbeat);
    clearInterval(sampler);
    const stallMs = Math.max(delay.max / 1e6, longestGap);
    console.log(JSON.stringify({ hugeObservation: { mb: 100, rollouts: 4, wallMs: Math.round(ms), longestStallMs: Math.round(stallMs * 10) / 10, histogramMaxMs: Math.round(delay.max / 1e5) / 10, heartbeatMaxGapMs: Math.round(longestGap * 10) / 10, rssBeforeMb: Math.round(rssBefore), peakRssMb: Math.round(peak) } }));
    const ts = out.trees[0].trajectories;
    expect(ts).toHaveLength(4);
    for (const t of ts) expect(t.segments.find((seg) => seg.source === 'tool')!.tokenIds.length).toBeLessThanOrEqual(4096);
    // The goal is < 100 ms; the bound is generous because this machine is shared.
    expect(stallMs).toBeLessThan(1_000);
  }, 60_000);
});
