import type { RolloutTree } from '../data/tree';
import type { Segment, Trajectory } from '../data/trajectory';
import type { Rng } from '../random/rng';
import type { ChatMessage, DecodeOptions, PolicyGenerator, Tokenizer } from './policy';
import type { Sample, Tool, ToolResult } from './tool';

export interface ParsedToolCall {
  name: string;
  args: unknown;
  /** The exact text of the call. */
  raw: string;
}

export interface ParseResult {
  calls: ParsedToolCall[];
  /** Calls that could not be parsed, with the reason the model will see. */
  errors: { raw: string; message: string }[];
  /** The final answer, when the turn gives one. */
  answer?: string;
}

/** kind `toolFormat`: how tool calls are written by the model and how results are shown to it. */
export interface ToolFormat {
  /** Strings that end a generation turn (e.g. `</tool_call>`). */
  readonly stopStrings: readonly string[];
  parse(text: string): ParseResult;
  /** The text appended after a turn's calls (one observation per call, in call order). */
  renderObservations(results: readonly { name: string; result: ToolResult }[]): string;
  /**
   * When defined and it returns messages, the observations are instead messages of the chat template: the
   * engine closes the assistant turn and renders these messages with the tokenizer's `renderChat` (with the
   * generation prompt), so each result is a turn of the template, as chat-template rollouts (verl, sglang) build them.
   */
  observationMessages?(results: readonly { name: string; result: ToolResult }[]): ChatMessage[] | undefined;
  /** Tool descriptions for the system prompt. */
  describeTools(tools: readonly Tool[]): string;
}

export interface RolloutLimits {
  maxTurns: number;
  maxTotalTokens: number;
  maxToolCalls: number;
  /** Per-tool call budgets (BATS). */
  toolBudgets?: Record<string, number>;
  toolTimeoutMs: number;
  /** Calls in flight across the whole batch. */
  concurrency: number;
  /** Image tokens tool observations may add to one trajectory (vision-language policies; the prompt's images are not counted); default no cap. */
  maxImageTokens?: number;
}

export interface RolloutInput {
  samples: readonly { sample: Sample; rollouts: number }[];
  policy: PolicyGenerator;
  tools: readonly Tool[];
  toolFormat: ToolFormat;
  memory?: MemoryManager;
  router?: AgentRouter;
  decode: DecodeOptions;
  limits: RolloutLimits;
  rng: Rng;
  step: number;
}

export interface RolloutOutput {
  trees: RolloutTree[];
  metrics?: Record<string, number>;
  /**
   * Samples of groups the source added beyond those it was asked for (e.g. rollouts shared by peers in
   * Swarm SAPO), so they are scored with their own ground truth. Their groups join the batch.
   */
  samples?: Sample[];
}

/** kind `rollout`: turns samples into rollout trees (linear, ARPO, Tree-GRPO, PORTool ...). */
export interface RolloutStrategy {
  rollout(input: RolloutInput): Promise<RolloutOutput>;
}

export interface MemoryContext {
  trajectory: Trajectory;
  /** Tokens currently in the context. */
  contextTokens: number;
  /** The context budget the rollout must stay under. */
  budget: number;
  tokenizer: Tokenizer;
  /**
   * Generates with the policy from fresh `messages`, outside the trajectory. Its log-probs belong to that
   * fresh context: use it for text that becomes context only, never for tokens trained after the piece.
   */
  generate?: (messages: ChatMessage[], options: DecodeOptions) => Promise<{ text: string; segment: Segment }>;
  /**
   * Generates with the policy in the trajectory's own context, for folds that are trained policy actions:
   * a fork of the trajectory's row, then the segments of this fold's earlier calls, then `instruction` as a
   * user turn. Returns `segments` = [the injected instruction, the policy's tokens] (fewer when the context
   * is full); appended to the piece in call order as `foldSegments`, they are trained in exactly the
   * context they were sampled in.
   */
  generateInContext?: (instruction: string, options: DecodeOptions) => Promise<{ text: string; segments: Segment[] }>;
  /** Why the manager is called: the context budget, or the policy's `foldTag` action. Absent = `budget`. */
  trigger?: 'budget' | 'tag';
}

/** What to do when a trajectory nears its context budget. */
export type MemoryAction =
  | { kind: 'stop' }
  /** Keep the context (a `tag` call that needs no fold, e.g. a verifier's SUCCESS); `observation` is appended, masked. */
  | { kind: 'continue'; observation?: string }
  | {
      kind: 'fold';
      /** The new context: the rollout continues in a new row that starts with these segments. */
      context: Segment[];
      /** Trained policy tokens the fold produced (summarise-by-policy), if any. */
      foldSegments?: Segment[];
    };

/** kind `memory`: context management near the budget. */
export interface MemoryManager {
  /** Fraction of the budget at which `onOverflow` is called. */
  readonly triggerFraction: number;
  /**
   * A tag the policy writes to fold on its own (DeepAgent `<fold_thought>`): it ends the turn (a stop
   * string) and `onOverflow` is called before the next turn, even below the budget.
   */
  readonly foldTag?: string;
  onOverflow(ctx: MemoryContext): Promise<MemoryAction>;
}

/** One agent role on the shared policy: its prompt and its tools. */
export interface RoleSpec {
  name: string;
  systemPrompt: string;
  tools: string[];
}

/** kind `router`: multi-agent routing (roles, agent-as-tool, orchestration). */
export interface AgentRouter {
  readonly rootRole: string;
  roles(): readonly RoleSpec[];
  /** Messages that open a root rollout for a sample. */
  rootMessages(sample: Sample): ChatMessage[];
  /** Extra tools the router provides to a role (e.g. `delegate`), built on the engine's spawn. */
  agentTools(role: string): Tool[];
}
