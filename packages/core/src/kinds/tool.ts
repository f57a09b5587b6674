import type { PreferenceData } from '../data/preference';
import type { SegmentImage } from '../data/trajectory';
import type { Rng } from '../random/rng';

/** JSON schema of a tool's arguments (an object schema). */
export type JsonSchema = Record<string, unknown>;

export interface ToolContext {
  /** The trajectory making the call: per-trajectory state (sessions) is keyed by it. */
  trajectoryId: string;
  rootId: string;
  turn: number;
  /** Wall-clock limit for this call in ms. */
  timeoutMs: number;
  signal?: AbortSignal;
  rng?: Rng;
  /** Spawns a child rollout (sub-agent), when the engine supports it. */
  spawn?: (request: SpawnRequest) => Promise<SpawnResult>;
  /**
   * Runs `work` with the call's timer stopped, then restarts it with the full `timeoutMs`: for start-up
   * that is not the call's work (loading an interpreter, opening a connection). `work` must bound its own
   * duration. Absent where the caller has no timer.
   */
  untimed?: <T>(work: () => Promise<T>) => Promise<T>;
  /** Data of the sample being answered (e.g. ground-truth evidence boxes). */
  sample?: Sample;
}

export interface ToolResult {
  ok: boolean;
  /** What the model sees. */
  observation: string;
  /** Error kind when not ok: schema, timeout, crash, refused, ... */
  error?: string;
  cost?: number;
  evidence?: Record<string, number>;
  /** Structured extras (images, regions) for other tools and rewards. */
  data?: unknown;
  /**
   * Images for the model to see (a vision-language policy gets them after the text observation; a
   * text-only policy sees the text alone).
   */
  images?: SegmentImage[];
  childId?: string;
}

/** A callable tool: name, argument schema and an async call that never throws for bad input. */
export interface Tool {
  readonly name: string;
  readonly description: string;
  readonly parameters: JsonSchema;
  call(args: unknown, ctx: ToolContext): Promise<ToolResult>;
  /** Gets ready for the first calls (e.g. loads a warm pool); the trainer awaits it before the first step. */
  warmUp?(): Promise<void>;
  /** Drops the per-trajectory state of `trajectoryId`. */
  release?(trajectoryId: string): Promise<void> | void;
  dispose?(): Promise<void> | void;
}

/** A request from a tool (e.g. an agent-as-tool) to run a child rollout. */
export interface SpawnRequest {
  role: string;
  /** The child's own context as chat messages. */
  messages: { role: string; content: string }[];
  /** Names of tools the child may use. */
  tools: string[];
  maxTurns?: number;
  /** A forced last turn asking for a summary, when the child runs out of turns. */
  finalPrompt?: string;
  /**
   * Also force the `finalPrompt` turn when the child finishes on its own (answer or end of sequence), as
   * MATPO workers always end with a summary turn; the finish reason stays `stop`.
   */
  alwaysFinal?: boolean;
  /**
   * Tokens kept free for the `finalPrompt` turn (prompt + summary): the child's turns and observations stop
   * this many tokens short of the token and context limits, and a child cut by a limit (length, context,
   * total tokens) still gets its final turn (MATPO's released code reserves max_summary_length = 4096).
   */
  summaryReserve?: number;
  /** The final prompt when the child was cut by turns or a limit (MATPO's released code: a "task failed" wording); default `finalPrompt`. */
  failedPrompt?: string;
}

export interface SpawnResult {
  childId: string;
  /** The child's final answer text. */
  text: string;
  ok: boolean;
}

/** One dataset item. */
export interface Sample {
  id: string;
  /**
   * Chat messages (or a plain user question in `messages[0]`). A message may carry `images`, shown to a
   * vision-language policy before the message's text, in order (a text-only policy refuses such a sample).
   */
  messages: { role: string; content: string; images?: SegmentImage[] }[];
  /** Ground truth for rewards. */
  answer?: unknown;
  /** Difficulty in [0, 1] for curricula. */
  difficulty?: number;
  /** Hints for hint-injection methods, easiest last. */
  hints?: string[];
  /** A preference pair answering `messages` (offline preference training); see `PreferenceData`. */
  preference?: PreferenceData;
  meta?: Record<string, unknown>;
}
