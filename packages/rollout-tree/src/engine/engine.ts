import type {
  ChatMessage,
  DecodeOptions,
  FinishReason,
  MemoryAction,
  ParseResult,
  PolicySession,
  Rng,
  Sample,
  Segment,
  SpawnRequest,
  SpawnResult,
  Tool,
  ToolCallRecord,
  ToolResult,
  Trajectory,
  RolloutInput,
} from '@tirl/core';
import { TirlError } from '@tirl/core';
import { z } from 'zod';
import { toTrajectory, type Agent, type PathNode } from './agent';
import { GenerateBatcher } from './batcher';
import { ToolBudget } from './budget';
import { InContextGenerator } from './in-context-generator';
import { Semaphore } from './semaphore';
import { errorResult, runToolCall } from './tool-runner';
import { validateArgs } from '@tirl/core';

/** Options every rollout strategy passes to the engine. */
export const engineOptionsShape = {
  /** Append the BATS Budget Tracker block (calls used / remaining per tool) after each observation. */
  budgetLine: z.boolean().default(false),
  /** How deep sub-rollouts may nest (0 disables `spawn`). */
  maxSpawnDepth: z.number().int().nonnegative().default(2),
  /** Tokens at the start of a turn whose entropy measures the turn (ARPO uses 20). */
  entropyTokens: z.number().int().positive().default(20),
};

export interface EngineOptions {
  budgetLine: boolean;
  maxSpawnDepth: number;
  entropyTokens: number;
}

interface RootSpec {
  sample: Sample;
  id: string;
  groupId: string;
  path: PathNode[];
}

/**
 * The multi-turn loop shared by every rollout strategy. Each `turn` generates for all given agents in
 * one batched call, parses their tool calls, runs every call of the batch concurrently (global
 * concurrency limit, per-call timeouts), appends the observations as masked `tool` segments and checks
 * the limits. Sampled token ids go into the trajectory untouched; observations are tokenised once.
 */
export class RolloutEngine {
  readonly session: PolicySession;
  readonly batcher: GenerateBatcher;
  private readonly slots: Semaphore;
  private readonly toolPool: Map<string, Tool>;
  private readonly stopStrings: string[];
  private readonly stopTokenIds: number[];
  private readonly live = new Set<Agent>();
  private counter = 0;
  readonly stats = { turns: 0, toolCalls: 0, toolErrors: 0, spawned: 0, folds: 0 };

  constructor(
    private readonly input: RolloutInput,
    private readonly opts: EngineOptions,
    private readonly needEntropy = false,
  ) {
    const { limits } = input;
    if (!(limits.concurrency >= 1)) throw new TirlError(`rollout: limits.concurrency must be ≥ 1, got ${limits.concurrency}`, 'invalid-data');
    this.session = input.policy.startSession();
    this.batcher = new GenerateBatcher(this.session, input.rng);
    this.slots = new Semaphore(limits.concurrency);
    this.toolPool = new Map(input.tools.map((t) => [t.name, t]));
    const foldTag = input.memory?.foldTag ? [input.memory.foldTag] : [];
    this.stopStrings = [...new Set([...(input.decode.stopStrings ?? []), ...input.toolFormat.stopStrings, ...foldTag])];
    this.stopTokenIds = [...new Set([...(input.decode.stopTokenIds ?? []), input.policy.tokenizer.eosTokenId])];
  }

  get tokenizer() {
    return this.input.policy.tokenizer;
  }

  /** A fresh id unique within this rollout call. */
  nextId(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  /** Starts a root rollout: renders the prompt (router messages or the sample's) and adds a row. */
  startRoot(spec: RootSpec): Agent {
    const role = this.input.router?.rootRole ?? 'agent';
    const messages = this.input.router ? this.input.router.rootMessages(spec.sample) : spec.sample.messages;
    return this.createAgent({
      ...spec,
      role,
      messages,
      tools: this.toolsForRole(role, undefined),
      depth: 0,
      rootId: spec.id,
      maxTurns: this.input.limits.maxTurns,
    });
  }

  /** A new agent continuing from `agent`'s current state in a forked row (shares its cache). */
  fork(agent: Agent, id: string): Agent {
    if (agent.done) throw new TirlError(`rollout: cannot fork "${agent.id}", it has finished`, 'invalid-data');
    const copy: Agent = {
      ...agent,
      id,
      rootId: agent.parentId === undefined ? id : agent.rootId,
      row: this.session.fork(agent.row),
      segments: [...agent.segments],
      toolCalls: agent.toolCalls.map((c) => ({ ...c })),
      budget: agent.budget.clone(),
      path: [...agent.path],
      spawned: [...agent.spawned],
      pieces: [...agent.pieces],
    };
    this.live.add(copy);
    return copy;
  }

  /** Drops an agent that will not be part of the output and frees its row. */
  discard(agent: Agent): void {
    if (this.live.delete(agent)) this.session.release(agent.row);
    agent.done = true;
  }

  /** A branch point at the agent's current position, appended to its path. */
  markNode(agent: Agent, reason: string, id = this.nextId('n')): PathNode {
    const node: PathNode = {
      id,
      parentId: agent.path.at(-1)?.id,
      tokenOffset: this.session.length(agent.row),
      turn: agent.turn,
      reason,
      folds: agent.folds,
    };
    agent.path.push(node);
    return node;
  }

  /** One turn for every unfinished agent, together. */
  async turn(agents: readonly Agent[]): Promise<void> {
    await Promise.all(agents.filter((a) => !a.done).map((a) => this.runTurn(a)));
  }

  async runToEnd(agents: readonly Agent[]): Promise<void> {
    for (let active = agents.filter((a) => !a.done); active.length; active = active.filter((a) => !a.done)) {
      await this.turn(active);
    }
  }

  /** The agent's trajectory; the agent must have finished. */
  trajectory(agent: Agent): Trajectory {
    if (!agent.done) throw new TirlError(`rollout: "${agent.id}" has not finished`, 'invalid-data');
    return toTrajectory(agent);
  }

  /** Releases every remaining row and the per-trajectory state of every tool. */
  async dispose(trajectoryIds: readonly string[]): Promise<void> {
    for (const a of this.live) this.session.release(a.row);
    this.live.clear();
    this.session.dispose();
    const tools = new Set<Tool>(this.toolPool.values());
    for (const tool of tools) {
      if (!tool.release) continue;
      for (const id of trajectoryIds) await tool.release(id);
    }
  }

  private createAgent(spec: {
    sample: Sample;
    id: string;
    groupId: string;
    rootId: string;
    parentId?: string;
    spawnTurn?: number;
    role: string;
    messages: readonly { role: string; content: string }[];
    tools: Map<string, Tool>;
    depth: number;
    maxTurns: number;
    finalPrompt?: string;
    alwaysFinal?: boolean;
    path: PathNode[];
  }): Agent {
    const tk = this.tokenizer;
    const text = tk.renderChat(withToolDescription(spec.messages, [...spec.tools.values()], this.input.toolFormat), {
      addGenerationPrompt: true,
    });
    const ids = tk.encode(text, { addSpecialTokens: false });
    const row = this.session.add(ids);
    const { limits } = this.input;
    const agent: Agent = {
      id: spec.id,
      sampleId: spec.sample.id,
      groupId: spec.groupId,
      rootId: spec.rootId,
      parentId: spec.parentId,
      spawnTurn: spec.spawnTurn,
      role: spec.role,
      depth: spec.depth,
      sample: spec.sample,
      row,
      segments: [{ source: 'prompt', role: spec.role, tokenIds: ids, text }],
      toolCalls: [],
      tools: spec.tools,
      budget: new ToolBudget(limits.maxToolCalls, limits.toolBudgets ?? {}),
      turn: 0,
      maxTurns: spec.maxTurns,
      finalPrompt: spec.finalPrompt,
      alwaysFinal: spec.alwaysFinal,
      responseTokens: 0,
      done: false,
      lastTurnCalls: 0,
      path: spec.path,
      spawned: [],
      pieces: [],
      folds: 0,
    };
    this.live.add(agent);
    return agent;
  }

  private toolsForRole(role: string, names: readonly string[] | undefined): Map<string, Tool> {
    const extra = this.input.router?.agentTools(role) ?? [];
    const pool = new Map([...this.toolPool, ...extra.map((t) => [t.name, t] as const)]);
    const spec = this.input.router?.roles().find((r) => r.name === role);
    const allowed = names ?? spec?.tools;
    if (!allowed) return pool;
    const picked = new Map<string, Tool>();
    for (const name of allowed) {
      const tool = pool.get(name);
      if (!tool) throw new TirlError(`rollout: role "${role}" names tool "${name}", which is not provided. Known: ${[...pool.keys()].join(', ') || 'none'}`, 'invalid-data');
      picked.set(name, tool);
    }
    for (const t of extra) picked.set(t.name, t);
    return picked;
  }

  private finish(a: Agent, reason: FinishReason): void {
    if (a.done) return;
    a.done = true;
    a.finishReason = reason;
    if (this.live.delete(a)) this.session.release(a.row);
  }

  private async runTurn(a: Agent): Promise<void> {
    a.lastTurnCalls = 0;
    if (!(await this.ensureRoom(a))) return;
    const { decode, limits, policy } = this.input;
    const totalLeft = limits.maxTotalTokens - a.responseTokens;
    if (totalLeft <= 0) return this.finish(a, 'max_tokens');
    const contextLeft = policy.maxContext - this.session.length(a.row);
    const maxNew = Math.min(decode.maxNewTokens, totalLeft, contextLeft);
    const res = await this.generate(a, maxNew);
    const n = res.tokenIds.length;
    if (res.finishReason === 'length') {
      return this.finish(a, n >= totalLeft ? 'max_tokens' : n >= contextLeft ? 'context' : 'length');
    }
    const text = this.tokenizer.decode(res.tokenIds, { skipSpecialTokens: true });
    const parsed = this.input.toolFormat.parse(text);
    const hasCalls = parsed.calls.length > 0 || parsed.errors.length > 0;
    // The fold tag is a stop string, so it ends the turn; formats that read any call-free text as the
    // answer (hermes) would otherwise end the rollout on it.
    const folding = this.wantsFold(text);
    if (!folding && (parsed.answer !== undefined || !hasCalls)) {
      a.answer = parsed.answer ?? text.trim();
      return a.alwaysFinal ? this.finalTurn(a, 'stop') : this.finish(a, 'stop');
    }
    if (a.turn >= a.maxTurns) return this.finalTurn(a, 'max_turns');
    if (folding) a.foldRequested = true;
    if (hasCalls) await this.executeCalls(a, parsed, text);
  }

  /** The turn wrote the memory plugin's fold tag (a policy-triggered fold). */
  private wantsFold(text: string): boolean {
    const tag = this.input.memory?.foldTag;
    return tag !== undefined && tag !== '' && text.includes(tag);
  }

  /** Generates one turn and records it as a policy segment with the sampled ids and log-probs. */
  private async generate(a: Agent, maxNew: number) {
    const options: DecodeOptions = {
      ...this.input.decode,
      maxNewTokens: maxNew,
      stopStrings: this.stopStrings,
      stopTokenIds: this.stopTokenIds,
      returnEntropy: this.input.decode.returnEntropy || this.needEntropy,
    };
    const res = await this.batcher.generate(a.row, options);
    if (res.logProbs.length !== res.tokenIds.length) {
      throw new TirlError(`rollout: the policy returned ${res.tokenIds.length} tokens with ${res.logProbs.length} log-probs`, 'invalid-data');
    }
    const seg: Segment = {
      source: 'policy',
      role: a.role,
      tokenIds: [...res.tokenIds],
      logProbs: [...res.logProbs],
      text: this.tokenizer.decode(res.tokenIds, { skipSpecialTokens: true }),
      turn: a.turn,
    };
    if (res.entropies) {
      seg.entropies = [...res.entropies];
      const head = res.entropies.slice(0, this.opts.entropyTokens);
      const h = head.length ? head.reduce((s, x) => s + x, 0) / head.length / Math.log(this.tokenizer.vocabSize) : 0;
      a.lastEntropy = h;
      a.firstEntropy ??= h;
    }
    a.segments.push(seg);
    a.turn++;
    a.responseTokens += res.tokenIds.length;
    this.stats.turns++;
    return res;
  }

  /**
   * The rollout ends with `reason`, after a forced final turn when it has a `finalPrompt` (out of turns,
   * or any normal finish with `alwaysFinal`). The final turn's text replaces the answer; when the prompt
   * does not fit, the rollout ends as it was.
   */
  private async finalTurn(a: Agent, reason: FinishReason): Promise<void> {
    if (!a.finalPrompt) return this.finish(a, reason);
    const prompt = a.finalPrompt;
    a.finalPrompt = undefined;
    const text = this.tokenizer.renderChat([{ role: 'user', content: prompt }], { addGenerationPrompt: true });
    if (!this.appendTokens(a, 'injected', text)) return this.finish(a, reason);
    const left = Math.min(this.input.decode.maxNewTokens, this.input.limits.maxTotalTokens - a.responseTokens, this.input.policy.maxContext - this.session.length(a.row));
    if (left <= 0) return this.finish(a, reason);
    const res = await this.generate(a, left);
    const out = this.tokenizer.decode(res.tokenIds, { skipSpecialTokens: true });
    a.answer = this.input.toolFormat.parse(out).answer ?? out.trim();
    this.finish(a, reason);
  }

  /** Appends tokenised text as a masked segment, cut to the token and context limits; false when nothing fits. */
  private appendTokens(a: Agent, source: 'tool' | 'injected', text: string): boolean {
    const all = this.tokenizer.encode(text, { addSpecialTokens: false });
    const room = Math.min(this.input.limits.maxTotalTokens - a.responseTokens, this.input.policy.maxContext - this.session.length(a.row));
    const ids = all.slice(0, Math.max(0, room));
    if (ids.length === 0) return false;
    const seg: Segment = {
      source,
      role: a.role,
      tokenIds: ids,
      text: ids.length === all.length ? text : this.tokenizer.decode(ids),
      turn: a.turn - 1,
    };
    a.segments.push(seg);
    this.session.append(a.row, ids);
    a.responseTokens += ids.length;
    return ids.length === all.length;
  }

  private async executeCalls(a: Agent, parsed: ParseResult, text: string): Promise<void> {
    const turn = a.turn - 1;
    const items = [
      ...parsed.calls.map((c) => ({ at: text.indexOf(c.raw), call: c, error: undefined })),
      ...parsed.errors.map((e) => ({ at: text.indexOf(e.raw), call: undefined, error: e })),
    ].sort((x, y) => x.at - y.at);
    let hitCallLimit = false;
    const jobs = items.map(async (item, i): Promise<ToolCallRecord> => {
      if (item.error) return record(turn, '', item.error.raw, errorResult('parse', `${item.error.message}.`));
      const call = item.call!;
      const tool = a.tools.get(call.name);
      if (!tool) {
        const known = [...a.tools.keys()].join(', ') || 'none';
        return record(turn, call.name, call.args, errorResult('unknown-tool', `there is no tool named "${call.name}". Available tools: ${known}.`));
      }
      const args = coerceArgs(tool, call.args);
      const problems = validateArgs(tool.parameters, args);
      if (problems.length) return record(turn, call.name, args, errorResult('schema', `${problems.join('; ')}.`));
      const refusal = a.budget.refusal(call.name);
      if (refusal) {
        hitCallLimit ||= refusal.global;
        return record(turn, call.name, args, errorResult('budget', `${refusal.reason}; the call was not run.`));
      }
      a.budget.charge(call.name);
      const spawnedIds: string[] = [];
      const spawn = (req: SpawnRequest) => this.spawn(a, req, turn, spawnedIds);
      const started = Date.now();
      const ctx = { trajectoryId: a.id, rootId: a.rootId, turn, rng: this.input.rng.fork(`${a.id}/${turn}/${i}`), spawn, sample: a.sample };
      const result = await runToolCall(tool, args, ctx, this.input.limits.toolTimeoutMs, this.slots);
      const rec = record(turn, call.name, args, result, Date.now() - started);
      const childId = result.childId ?? spawnedIds.at(-1);
      if (childId) rec.childId = childId;
      return rec;
    });
    const records = await Promise.all(jobs);
    this.stats.toolCalls += records.length;
    this.stats.toolErrors += records.filter((r) => !r.ok).length;
    a.toolCalls.push(...records);
    a.lastTurnCalls = records.length;
    const results = records.map((r) => ({ name: r.name, result: { ok: r.ok, observation: r.observation, error: r.error } as ToolResult }));
    let observation = this.input.toolFormat.renderObservations(results);
    if (this.opts.budgetLine) observation += a.budget.line();
    const whole = this.appendTokens(a, 'tool', observation);
    if (hitCallLimit) return this.finish(a, 'max_tool_calls');
    if (!whole && a.responseTokens >= this.input.limits.maxTotalTokens) this.finish(a, 'max_tokens');
  }

  /** Runs a child rollout for a tool of `parent` and records it under the parent. */
  private async spawn(parent: Agent, req: SpawnRequest, turn: number, spawnedIds: string[]): Promise<SpawnResult> {
    const slot = parent.spawned.length;
    parent.spawned.push([]);
    if (parent.depth + 1 > this.opts.maxSpawnDepth) {
      return { childId: '', ok: false, text: `Error (spawn): sub-rollouts nest at most ${this.opts.maxSpawnDepth} deep.` };
    }
    let tools: Map<string, Tool>;
    try {
      tools = this.toolsForRole(req.role, req.tools);
    } catch (e) {
      return { childId: '', ok: false, text: `Error (spawn): ${(e as Error).message}` };
    }
    const child = this.createAgent({
      sample: parent.sample,
      id: `${parent.id}.c${slot}`,
      groupId: parent.groupId,
      rootId: parent.rootId,
      parentId: parent.id,
      spawnTurn: turn,
      role: req.role,
      messages: req.messages,
      tools,
      depth: parent.depth + 1,
      maxTurns: req.maxTurns ?? this.input.limits.maxTurns,
      finalPrompt: req.finalPrompt,
      alwaysFinal: req.alwaysFinal,
      path: [],
    });
    spawnedIds.push(child.id);
    this.stats.spawned++;
    await this.runToEnd([child]);
    const traj = toTrajectory(child);
    parent.spawned[slot] = [traj, ...child.pieces, ...child.spawned.flat()];
    const ok = child.finishReason === 'stop' || (child.finishReason === 'max_turns' && child.answer !== undefined);
    return { childId: child.id, ok, text: child.answer ?? lastPolicyText(child.segments) };
  }

  /** Checks the context before a turn; runs the memory plugin near the budget. False when the agent stopped. */
  private async ensureRoom(a: Agent): Promise<boolean> {
    const { memory, policy } = this.input;
    const len = this.session.length(a.row);
    const budget = policy.maxContext;
    if (!memory) {
      if (len >= budget) this.finish(a, 'context');
      return !a.done;
    }
    const requested = a.foldRequested === true;
    a.foldRequested = false;
    if (!requested && len < memory.triggerFraction * budget && len < budget) return true;
    const inContext = new InContextGenerator(this.session, this.batcher, this.tokenizer, policy.maxContext, a, this.foldDecode());
    let action: MemoryAction;
    try {
      action = await memory.onOverflow({
        trajectory: toTrajectory(a),
        contextTokens: len,
        budget,
        tokenizer: this.tokenizer,
        generate: (messages, options) => this.sideGenerate(a, messages, options),
        generateInContext: (instruction, options) => inContext.generate(instruction, options),
        trigger: requested ? 'tag' : 'budget',
      });
    } finally {
      await inContext.release();
    }
    if (action.kind === 'stop') {
      this.finish(a, 'context');
      return false;
    }
    this.fold(a, action.context, action.foldSegments ?? []);
    if (this.session.length(a.row) >= Math.min(budget, memory.triggerFraction * budget)) {
      this.finish(a, 'context');
      return false;
    }
    return true;
  }

  /** Closes the current piece and continues in a new row that starts with `context`. */
  private fold(a: Agent, context: Segment[], foldSegments: Segment[]): void {
    this.stats.folds++;
    const piece = toTrajectory(a);
    piece.id = `${a.id}~p${a.folds}`;
    piece.parentId = a.id;
    piece.spawnTurn = a.turn;
    piece.segments.push(...foldSegments.map((s) => ({ ...s })));
    piece.finishReason = 'context';
    piece.meta = { ...piece.meta, foldPiece: a.folds };
    a.pieces.push(piece);
    a.folds++;
    this.session.release(a.row);
    a.segments = context.map((s) => ({ ...s, tokenIds: [...s.tokenIds] }));
    a.toolCalls = [];
    a.row = this.session.add(a.segments.flatMap((s) => s.tokenIds));
  }

  /** Sampling settings of fold generations: the rollout's, ended by end of sequence only. */
  private foldDecode(): Omit<DecodeOptions, 'maxNewTokens'> {
    const { temperature, topP, topK } = this.input.decode;
    return { temperature, topP, topK, stopTokenIds: this.stopTokenIds };
  }

  /** Generates outside the agent's row, from fresh messages (text for a new context, not trained tokens). */
  private async sideGenerate(a: Agent, messages: ChatMessage[], options: DecodeOptions) {
    const ids = this.tokenizer.encode(this.tokenizer.renderChat(messages, { addGenerationPrompt: true }), { addSpecialTokens: false });
    const row = this.session.add(ids);
    try {
      const res = await this.batcher.generate(row, options);
      const text = this.tokenizer.decode(res.tokenIds, { skipSpecialTokens: true });
      const segment: Segment = { source: 'policy', role: a.role, tokenIds: [...res.tokenIds], logProbs: [...res.logProbs], text, turn: a.turn };
      return { text, segment };
    } finally {
      this.session.release(row);
    }
  }
}

function record(turn: number, name: string, args: unknown, r: ToolResult, latencyMs?: number): ToolCallRecord {
  const rec: ToolCallRecord = { turn, name, args, ok: r.ok, observation: r.observation };
  if (r.error !== undefined) rec.error = r.error;
  if (latencyMs !== undefined) rec.latencyMs = latencyMs;
  if (r.cost !== undefined) rec.cost = r.cost;
  if (r.evidence !== undefined) rec.evidence = r.evidence;
  return rec;
}

/**
 * A string argument (tag-per-tool formats) binds to the tool's single argument: its only required
 * property, else its only property.
 */
export function coerceArgs(tool: Tool, args: unknown): unknown {
  if (typeof args !== 'string') return args;
  const props = Object.keys((tool.parameters.properties as Record<string, unknown>) ?? {});
  const required = Array.isArray(tool.parameters.required) ? (tool.parameters.required as string[]) : [];
  const key = required.length === 1 ? required[0] : props.length === 1 ? props[0] : undefined;
  return key === undefined ? args : { [key]: args };
}

/** Adds the tool descriptions to the system message (or a new one) when there are tools. */
export function withToolDescription(
  messages: readonly { role: string; content: string }[],
  tools: readonly Tool[],
  format: RolloutInput['toolFormat'],
): ChatMessage[] {
  const out = messages.map((m) => ({ ...m }));
  if (tools.length === 0) return out;
  const description = format.describeTools(tools);
  if (out[0]?.role === 'system') out[0].content = `${out[0].content}\n\n${description}`;
  else out.unshift({ role: 'system', content: description });
  return out;
}

function lastPolicyText(segments: readonly Segment[]): string {
  for (let i = segments.length - 1; i >= 0; i--) if (segments[i].source === 'policy') return segments[i].text ?? '';
  return '';
}

export type { Rng };
