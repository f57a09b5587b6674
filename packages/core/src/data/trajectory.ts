/** Where the tokens of a segment came from. Only `policy` tokens are trained. */
export type SegmentSource = 'prompt' | 'policy' | 'tool' | 'injected';

/**
 * An image a segment carries: one from the prompt or a tool's image observation. 8-bit RGB, row-major,
 * base64-encoded so trajectories stay JSON. The segment's `tokenIds` already hold the tokens that stand
 * for it (the model's image markers and image-token runs), tokenised once.
 */
export interface SegmentImage {
  width: number;
  height: number;
  /** `width · height · 3` bytes of RGB, base64. */
  rgbBase64: string;
}

/**
 * A run of tokens from one source. Token-in, token-out: `tokenIds` are the ids that were sampled or
 * tokenised once; nothing downstream re-tokenises `text`.
 */
export interface Segment {
  source: SegmentSource;
  /** Agent role that produced or received the tokens: `planner`, `worker`, `agent`, ... */
  role: string;
  tokenIds: number[];
  /** Behaviour log-prob of each token; required for `policy` segments, absent otherwise. */
  logProbs?: number[];
  /** Entropy of the sampling distribution at each token (policy segments, when recorded). */
  entropies?: number[];
  /** Decoded text, for display and rewards only. */
  text?: string;
  /** Turn index within the trajectory (0-based). */
  turn?: number;
  /**
   * Images this segment shows the model, in the order of their token runs (prompt and tool segments
   * only: image tokens are never trained).
   */
  images?: SegmentImage[];
}

/** One tool call made during a rollout, with what the model saw back. */
export interface ToolCallRecord {
  turn: number;
  name: string;
  args: unknown;
  ok: boolean;
  /** Error kind when `ok` is false: parse, unknown-tool, schema, timeout, crash, budget. */
  error?: string;
  observation: string;
  latencyMs?: number;
  /** Cost of the call in the units a budget or cost-aware reward reads. */
  cost?: number;
  /** Evidence measurements a tool attaches (e.g. IoU with a ground-truth box) for faithful-use rewards. */
  evidence?: Record<string, number>;
  /** Id of a child trajectory spawned by this call (sub-agent), if any. */
  childId?: string;
}

export type FinishReason = 'stop' | 'length' | 'max_turns' | 'max_tokens' | 'max_tool_calls' | 'context' | 'error';

/**
 * One rollout of one agent. Sub-agent rollouts link to the root through `parentId` / `rootId` and
 * record the parent turn that spawned them.
 */
export interface Trajectory {
  id: string;
  /** The dataset sample this rollout answers. */
  sampleId: string;
  /** Trajectories compared with each other by group-relative advantages. */
  groupId: string;
  /** The root (top-level) trajectory of a multi-agent rollout; equals `id` for a root. */
  rootId: string;
  parentId?: string;
  spawnTurn?: number;
  role: string;
  segments: Segment[];
  toolCalls: ToolCallRecord[];
  /** Scalar reward after all reward functions and shapers. */
  reward?: number;
  /** Each reward component, under its metric key. */
  rewardComponents?: Record<string, number>;
  /** Reward functions that failed on this trajectory, with the error. */
  rewardFailures?: Record<string, string>;
  finishReason?: FinishReason;
  /** Node ids from the tree root to this leaf, for tree-aware advantages. */
  treePath?: string[];
  /** Leading tokens identical to a trajectory earlier in the batch that owns (trains) them. */
  sharedPrefixLength?: number;
  meta?: Record<string, unknown>;
}

export function isRoot(t: Trajectory): boolean {
  return t.parentId === undefined;
}

/** All token ids of a trajectory, in order. */
export function trajectoryTokens(t: Trajectory): number[] {
  return t.segments.flatMap((s) => s.tokenIds);
}

/** Every image of a trajectory, in token order. */
export function trajectoryImages(t: Trajectory): SegmentImage[] {
  return t.segments.flatMap((s) => s.images ?? []);
}

/** Builds a {@link SegmentImage} from raw 8-bit RGB; errors name the field. */
export function segmentImage(width: number, height: number, rgb: Uint8Array): SegmentImage {
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    throw new Error(`segmentImage: width and height must be positive integers, got ${width}×${height}`);
  }
  if (rgb.length !== width * height * 3) throw new Error(`segmentImage: rgb holds ${rgb.length} bytes, expected width·height·3 = ${width * height * 3}`);
  return { width, height, rgbBase64: Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength).toString('base64') };
}

/**
 * What is wrong with a value meant as a {@link SegmentImage} (`at` names it, e.g. `messages[0].images[1]`),
 * or undefined when it is one: positive integer `width` and `height`, and `rgbBase64` holding exactly
 * width·height·3 bytes of base64.
 */
export function segmentImageProblem(value: unknown, at: string): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${at} must be an object {"width", "height", "rgbBase64"}`;
  const { width, height, rgbBase64, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length) return `${at} has unknown field(s) ${extra.join(', ')}; an image is {"width", "height", "rgbBase64"}`;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) return `${at}.${name} must be a positive integer; got ${JSON.stringify(v) ?? 'nothing'}`;
  }
  if (typeof rgbBase64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(rgbBase64)) return `${at}.rgbBase64 must be a base64 string of 8-bit RGB bytes`;
  const bytes = Buffer.byteLength(rgbBase64, 'base64');
  const want = (width as number) * (height as number) * 3;
  if (bytes !== want) return `${at}.rgbBase64 decodes to ${bytes} bytes; width·height·3 = ${want} (8-bit RGB, row-major, no alpha)`;
  return undefined;
}

/** The RGB bytes of a {@link SegmentImage}, checked against its size. */
export function segmentImagePixels(image: SegmentImage): Uint8Array {
  const bytes = new Uint8Array(Buffer.from(image.rgbBase64, 'base64'));
  if (bytes.length !== image.width * image.height * 3) {
    throw new Error(`segment image: rgbBase64 decodes to ${bytes.length} bytes, expected width·height·3 = ${image.width * image.height * 3}`);
  }
  return bytes;
}

/** Number of generated (policy) tokens. */
export function policyTokenCount(t: Trajectory): number {
  return t.segments.reduce((n, s) => n + (s.source === 'policy' ? s.tokenIds.length : 0), 0);
}

/** Decoded text of the policy segments (the model's own output). */
export function policyText(t: Trajectory): string {
  return t.segments
    .filter((s) => s.source === 'policy')
    .map((s) => s.text ?? '')
    .join('');
}

/** The whole decoded text after the prompt. */
export function completionText(t: Trajectory): string {
  return t.segments
    .filter((s) => s.source !== 'prompt')
    .map((s) => s.text ?? '')
    .join('');
}
