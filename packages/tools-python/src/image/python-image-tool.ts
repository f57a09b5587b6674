import { definePlugin, segmentImageProblem, type SegmentImage, type Tool, type ToolContext, type ToolResult } from '@tirl/core';
import { z } from 'zod';
import { renderOutcome } from '../render';
import { LazyPool } from '../sandbox/lazy-pool';
import type { SessionOutcome } from '../sandbox/python-pool';
import { SandboxRefusedError } from '../sandbox/python-worker-handle';
import { evidenceFor, regionOf, type Affine } from './evidence';
import { loadCell } from './prelude';

/** Options of `tool/python-image`. */
export const pythonImageToolOptions = z
  .object({
    /** Wall-clock limit of one cell (the call context's `timeoutMs` lowers it further). */
    timeoutMs: z.number().int().min(100).max(600_000).default(20_000),
    /** Characters kept of each of stdout, stderr, the result value and the traceback. */
    maxOutputChars: z.number().int().min(200).max(1_000_000).default(4_000),
    maxCodeChars: z.number().int().min(1).max(1_000_000).default(50_000),
    /** Cap on each interpreter's wasm memory. */
    memoryLimitMb: z.number().int().min(64).max(4_096).default(512),
    /** Interpreters loaded ahead of time (~3 s each). */
    poolSize: z.number().int().min(0).max(64).default(2),
    /** Trajectories with a live session at once. */
    maxSessions: z.number().int().min(1).max(256).default(8),
    /** Images one call may `show` to the model. */
    maxImagesPerCall: z.number().int().min(1).max(16).default(2),
    /** Largest image (width · height) the code may make or show. */
    maxImagePixels: z.number().int().min(1).max(16_777_216).default(4_194_304),
    /** Coverage of an evidence box at which a shown image counts as containing it (CodeV: the crop holds the evidence). */
    evidenceThreshold: z.number().gt(0).max(1).default(1),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.poolSize > o.maxSessions) {
      ctx.addIssue({ code: 'custom', path: ['poolSize'], message: `poolSize (${o.poolSize}) must not exceed maxSessions (${o.maxSessions}); lower poolSize or raise maxSessions` });
    }
  });

export type PythonImageToolOptions = z.output<typeof pythonImageToolOptions>;

const parameters = {
  type: 'object',
  properties: {
    code: {
      type: 'string',
      description: 'Python 3 that works on `image` (an Image: width, height, pixels, crop, resize, zoom, rotate, flip, get, set, rows) and calls show(img) to see a result.',
    },
  },
  required: ['code'],
  additionalProperties: false,
} as const;

interface ShownImage extends SegmentImage {
  transform: Affine | null;
}

/**
 * CodeV's code-based visual tool: model-written Python runs in the sandboxed interpreter of
 * `tool/python` (Pyodide, one session per trajectory) with the sample's prompt images loaded as `image`
 * / `images`, and every image the code passes to `show()` comes back as an image observation. Images made
 * by the `Image` methods keep track of the region of the original they show, which is compared with the
 * sample's `meta.evidenceBoxes` (the `tool/image` evidence record) for TAPO's step reward.
 */
export class PythonImageTool implements Tool {
  readonly name = 'python_image';
  readonly description =
    'Runs Python 3 on the question\'s image in a sandbox (standard library only). `image` is the first image (`images` all of them): an Image with width, height, pixels (bytearray RGB, row by row), get(x, y), set(x, y, rgb), rows(), crop(left, top, right, bottom), resize(w, h), zoom(k), rotate(90|180|270, counter-clockwise), flip(horizontal=True); Image.from_rows(rows) builds one. show(img) returns an image for you to see. State persists across calls.';
  readonly parameters = parameters;
  private readonly pool = new LazyPool(() => ({
    memoryLimitMb: this.options.memoryLimitMb,
    jsHeapLimitMb: 256,
    poolSize: this.options.poolSize,
    maxSessions: this.options.maxSessions,
    startupTimeoutMs: 60_000,
    interruptGraceMs: 2_000,
    onRelease: 'terminate',
  }));

  constructor(private readonly options: PythonImageToolOptions) {}

  async call(args: unknown, ctx: ToolContext): Promise<ToolResult> {
    const code = parseCode(args, this.options.maxCodeChars);
    if (typeof code !== 'string') return { ok: false, error: 'schema', observation: `error: python_image: ${code.problem}.` };
    const sources = sampleImages(ctx);
    if ('problem' in sources) return { ok: false, error: 'schema', observation: `error: python_image: ${sources.problem}` };
    const o = this.options;
    const timeoutMs = Math.max(1, Math.min(o.timeoutMs, ctx.timeoutMs || o.timeoutMs));
    const internal = { timeoutMs: Math.max(timeoutMs, 10_000), maxOutputChars: 1_000_000_000 };
    try {
      const pool = this.pool.get();
      const setup = async () => {
        await pool.prepare(ctx.trajectoryId);
        const check = await pool.execute(ctx.trajectoryId, { ...internal, code: "'_tirl_ready' in globals()" });
        if (valueOf(check) !== 'True') failIfBroken(await pool.execute(ctx.trajectoryId, { ...internal, code: loadCell(o.maxImagePixels, o.maxImagesPerCall, sources.images) }), 'load the image');
        return check.resetNote;
      };
      // Loading an interpreter and the image is not the cell's time.
      const resetNote = ctx.untimed ? await ctx.untimed(setup) : await setup();
      const outcome = await pool.execute(ctx.trajectoryId, { code, timeoutMs, maxOutputChars: o.maxOutputChars, signal: ctx.signal });
      const taken = await pool.execute(ctx.trajectoryId, { ...internal, code: '_tirl_take()' });
      const rendered = renderOutcome(resetNote ? { ...outcome, resetNote } : outcome, { timeoutMs, maxOutputChars: o.maxOutputChars, memoryLimitMb: o.memoryLimitMb });
      const shown = taken.kind === 'done' && !taken.reply.error ? parseShown(valueOf(taken)) : [];
      if (!rendered.ok || shown.length === 0) return rendered;
      return this.withImages(rendered, shown, ctx);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof SandboxRefusedError) return { ok: false, error: 'refused', observation: `error: python_image is unavailable: the sandbox could not be isolated (${message}); no code was run.` };
      return { ok: false, error: 'crash', observation: `error: python_image could not run the code: ${message}` };
    }
  }

  /** The shown images as observations, with the evidence of the best-covering one whose region is known. */
  private withImages(result: ToolResult, shown: ShownImage[], ctx: ToolContext): ToolResult {
    const lines = shown.map((im, i) => {
      const region = im.transform ? regionOf(im.width, im.height, im.transform).map((v) => Math.round(v * 100) / 100) : undefined;
      return `shown image ${i + 1}: ${im.width}x${im.height}${region ? `, region [${region.join(', ')}] of the original` : ''}`;
    });
    const text = result.observation === '(no output)' ? '' : `${result.observation.replace(/\n+$/, '')}\n`;
    const observation = `${text}${lines.join('\n')}`;
    const images = shown.map(({ width, height, rgbBase64 }) => ({ width, height, rgbBase64 }));
    let evidence: Record<string, number> | undefined;
    for (const im of shown) {
      if (!im.transform) continue;
      const e = evidenceFor(regionOf(im.width, im.height, im.transform), ctx.sample?.meta?.evidenceBoxes, this.options.evidenceThreshold);
      if (e && (!evidence || e.coverage > evidence.coverage)) evidence = e;
    }
    return { ...result, observation, images, ...(evidence ? { evidence } : {}) };
  }

  release(trajectoryId: string): Promise<void> {
    return this.pool.release(trajectoryId);
  }

  dispose(): Promise<void> {
    return this.pool.dispose();
  }

  warmUp(): Promise<void> {
    return this.pool.warmUp();
  }
}

function parseCode(args: unknown, maxCodeChars: number): string | { problem: string } {
  const expected = 'expected {"code": "<python source>"}';
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return { problem: `arguments must be an object; ${expected}` };
  const extra = Object.keys(args).filter((k) => k !== 'code');
  if (extra.length > 0) return { problem: `unknown argument(s) ${extra.join(', ')}; ${expected}` };
  const code = (args as { code?: unknown }).code;
  if (typeof code !== 'string') return { problem: `"code" must be a string; ${expected}` };
  if (code.length > maxCodeChars) return { problem: `"code" has ${code.length} characters; the limit is ${maxCodeChars}` };
  return code;
}

/** The images of the sample's messages, in order (the prompt images a vision-language policy saw). */
function sampleImages(ctx: ToolContext): { images: SegmentImage[] } | { problem: string } {
  const images = (ctx.sample?.messages ?? []).flatMap((m) => m.images ?? []);
  for (const [i, im] of images.entries()) {
    const problem = segmentImageProblem(im, `the sample's image ${i}`);
    if (problem) return { problem };
  }
  return { images };
}

/** The repr of a cell's trailing expression. */
function valueOf(outcome: SessionOutcome): string | undefined {
  return outcome.kind === 'done' ? (outcome.reply.value ?? undefined) : undefined;
}

function failIfBroken(outcome: SessionOutcome, what: string): void {
  if (outcome.kind !== 'done') throw new Error(`could not ${what} (${outcome.kind === 'crash' ? outcome.message : 'timeout'})`);
  if (outcome.reply.error) throw new Error(`could not ${what}: ${outcome.reply.error.traceback.split('\n').at(-1)}`);
}

/** `_tirl_take()`'s value: the repr of a base64 string of JSON. */
function parseShown(repr: string | undefined): ShownImage[] {
  if (!repr || repr.length < 2) return [];
  const json = JSON.parse(Buffer.from(repr.slice(1, -1), 'base64').toString('utf8')) as ShownImage[];
  return json;
}

export const pythonImageTool = definePlugin({
  kind: 'tool',
  name: 'python-image',
  summary: 'CodeV code-based visual tool: Python in the sandbox on the sample\'s image (crop, resize, zoom, rotate, flip, pixels); show(img) returns images to the model, with evidence of the region shown',
  paper: {
    title: 'CodeV: Code with Images for Faithful Visual Reasoning via Tool-Aware Policy Optimization',
    arxiv: '2511.19661',
    section: 'visual tools as Python code run in a sandbox on the image; the tool output (crop) is what the step reward judges',
  },
  options: pythonImageToolOptions,
  create: (options) => new PythonImageTool(options),
});
