import type { FinishReason, PolicySession, RolloutInput, Sample, Tool, Trajectory } from '@tirl/core';
import { TirlError } from '@tirl/core';
import { recordActionSpans } from './action-spans';
import { toTrajectory, type Agent, type PathNode } from './agent';
import { createAgent, toolsForRole } from './agent-factory';
import { GenerateBatcher } from './batcher';
import { finishAgent, type EngineContext, type EngineStats } from './context';
import { ensureRoom, wantsFold } from './context-memory';
import { finalTurn, generateTurn } from './generation';
import { appendTokens, reserveOf } from './observation';
import type { EngineOptions } from './options';
import { Semaphore } from './semaphore';
import { executeCalls } from './tool-calls';

export { engineOptionsShape, type EngineOptions } from './options';
export { coerceArgs } from './tool-calls';
export { withToolDescription } from './agent-factory';

interface RootSpec {
  sample: Sample;
  id: string;
  groupId: string;
  path: PathNode[];
}

/**
 * The multi-turn loop shared by every rollout strategy. Each `turn` generates for all given agents in
 * one batched call (`runToEnd` with `schedule: 'trajectory'` lets each agent loop on its own instead), parses their tool calls, runs every call of the batch concurrently (global
 * concurrency limit, per-call timeouts), appends the observations as masked `tool` segments and checks
 * the limits. Sampled token ids go into the trajectory untouched; observations are tokenised once.
 *
 * The parts live in their own files: generation (`generation.ts`), tool calls (`tool-calls.ts`,
 * `tool-runner.ts`), sub-agents (`sub-agents.ts`), memory folding (`context-memory.ts`); they share an
 * `EngineContext`.
 */
export class RolloutEngine {
  readonly session: PolicySession;
  readonly batcher: GenerateBatcher;
  readonly stats: EngineStats = { turns: 0, toolCalls: 0, toolErrors: 0, spawned: 0, folds: 0 };
  private readonly ctx: EngineContext;
  private counter = 0;

  constructor(
    private readonly input: RolloutInput,
    opts: EngineOptions,
    needEntropy = false,
  ) {
    const { limits } = input;
    if (!(limits.concurrency >= 1)) throw new TirlError(`rollout: limits.concurrency must be ≥ 1, got ${limits.concurrency}`, 'invalid-data');
    this.session = input.policy.startSession();
    this.batcher = new GenerateBatcher(this.session, input.rng);
    const foldTag = input.memory?.foldTag ? [input.memory.foldTag] : [];
    this.ctx = {
      input,
      opts,
      needEntropy,
      session: this.session,
      batcher: this.batcher,
      slots: new Semaphore(limits.concurrency),
      toolPool: new Map(input.tools.map((t) => [t.name, t])),
      stopStrings: [...new Set([...(input.decode.stopStrings ?? []), ...input.toolFormat.stopStrings, ...foldTag])],
      stopTokenIds: [...new Set([...(input.decode.stopTokenIds ?? []), input.policy.tokenizer.eosTokenId])],
      tokenizer: input.policy.tokenizer,
      stats: this.stats,
      live: new Set<Agent>(),
      runToEnd: (agents) => this.runToEnd(agents),
    };
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
    return createAgent(this.ctx, {
      ...spec,
      role,
      messages,
      tools: toolsForRole(this.ctx, role, undefined),
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
      actionSpans: agent.actionSpans.map(([s, e]) => [s, e]),
    };
    this.ctx.live.add(copy);
    return copy;
  }

  /** Drops an agent that will not be part of the output and frees its row. */
  discard(agent: Agent): void {
    if (this.ctx.live.delete(agent)) this.session.release(agent.row);
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

  /** Runs the agents until all have finished, turn-synchronous or each on its own (`schedule`). */
  async runToEnd(agents: readonly Agent[]): Promise<void> {
    if (this.ctx.opts.schedule === 'trajectory') {
      await Promise.all(agents.map(async (a) => {
        while (!a.done) await this.runTurn(a);
      }));
      return;
    }
    for (let active = agents.filter((a) => !a.done); active.length; active = active.filter((a) => !a.done)) {
      await this.turn(active);
    }
  }

  /** Appends `text` to the agent's row as an untrained `injected` segment (e.g. a search strategy's hint). */
  inject(agent: Agent, text: string): void {
    appendTokens(this.ctx, agent, 'injected', text);
  }

  /** Ends a live agent with `reason` (a strategy's own limit) and frees its row. */
  finish(agent: Agent, reason: FinishReason): void {
    finishAgent(this.ctx, agent, reason);
  }

  /** The agent's trajectory; the agent must have finished. */
  trajectory(agent: Agent): Trajectory {
    if (!agent.done) throw new TirlError(`rollout: "${agent.id}" has not finished`, 'invalid-data');
    return toTrajectory(agent);
  }

  /** Releases every remaining row and the per-trajectory state of every tool. */
  async dispose(trajectoryIds: readonly string[]): Promise<void> {
    for (const a of this.ctx.live) this.session.release(a.row);
    this.ctx.live.clear();
    this.session.dispose();
    const tools = new Set<Tool>(this.ctx.toolPool.values());
    for (const tool of tools) {
      if (!tool.release) continue;
      for (const id of trajectoryIds) await tool.release(id);
    }
  }

  /** One turn of one agent: make room, generate, then finish on an answer or limit, or run the calls. */
  private async runTurn(a: Agent): Promise<void> {
    const ctx = this.ctx;
    a.lastTurnCalls = 0;
    if (!(await ensureRoom(ctx, a))) return;
    const { decode, limits, policy } = this.input;
    // An agent with a pending final turn keeps `summaryReserve` tokens free for it and is summarised when cut.
    const reserve = reserveOf(a);
    const totalLeft = limits.maxTotalTokens - a.responseTokens - reserve;
    const contextLeft = policy.maxContext - this.session.length(a.row) - reserve;
    if (totalLeft <= 0 || contextLeft <= 0) return finalTurn(ctx, a, totalLeft <= 0 ? 'max_tokens' : 'context');
    const maxNew = Math.min(decode.maxNewTokens, totalLeft, contextLeft);
    const res = await generateTurn(ctx, a, maxNew);
    const n = res.tokenIds.length;
    if (res.finishReason === 'length') {
      return finalTurn(ctx, a, n >= totalLeft ? 'max_tokens' : n >= contextLeft ? 'context' : 'length');
    }
    const text = this.tokenizer.decode(res.tokenIds, { skipSpecialTokens: true });
    const parsed = this.input.toolFormat.parse(text);
    const hasCalls = parsed.calls.length > 0 || parsed.errors.length > 0;
    // The fold tag is a stop string, so it ends the turn; formats that read any call-free text as the
    // answer (hermes) would otherwise end the rollout on it.
    const folding = wantsFold(ctx, text);
    if (!folding && (parsed.answer !== undefined || !hasCalls)) {
      a.answer = parsed.answer ?? text.trim();
      return a.alwaysFinal ? finalTurn(ctx, a, 'stop') : finishAgent(ctx, a, 'stop');
    }
    recordActionSpans(this.tokenizer, a, [
      ...[...parsed.calls, ...parsed.errors].map((c) => c.raw),
      ...(folding ? [this.input.memory!.foldTag!] : []),
    ]);
    if (a.turn >= a.maxTurns) return finalTurn(ctx, a, 'max_turns');
    if (folding) a.foldRequested = true;
    if (hasCalls) await executeCalls(ctx, a, parsed, text);
  }
}
