import { Rng, type Sample } from '@tirl/core';
import { callArgument, lastObservation, type DemoTask } from './types';

export interface ArithmeticTaskOptions {
  seed: number;
  /** Questions in all (training and held out). */
  questions: number;
  /** Questions held out for evaluation (at most a quarter of them, at least one). */
  heldOut: number;
  /** Share of easy questions (`a*0`, `a*1`), answered without the tool; the rest need it. */
  easyShare?: number;
  /**
   * Share of easy questions the teacher answers with a needless python call anyway (default 0): a habit
   * the warm start picks up, so that tool-efficiency methods (OTC) have calls to remove.
   */
  needlessCallShare?: number;
}

/** Easy questions are `a*0` and `a*1` with a three-digit `a`: 1800 distinct ones. */
const EASY_POOL = 2 * 900;

export interface ArithmeticQuestion {
  a: number;
  b: number;
}

/** The question text: fixed format, so operands always sit at the same offsets. */
export const questionText = (q: ArithmeticQuestion): string => `${q.a}*${q.b}=?`;

/** Whether a question needs the tool: a two-digit second operand (the product has five digits). */
export const needsTool = (q: ArithmeticQuestion): boolean => q.b >= 10;

/**
 * Multiplication questions: hard ones `a*b` with a three-digit `a` and a two-digit `b` whose product has
 * five digits (answerable only by calling python and copying what it prints), easy ones `a*0` / `a*1`
 * (answerable by copying or writing 0, so a tool call on them is needless). Easy questions are not
 * single-digit sums: held-out questions must differ from training ones, and 81 sums are too few to hold
 * some out and still expect a tiny model to answer them without the tool.
 */
export function arithmeticTask(o: ArithmeticTaskOptions): DemoTask {
  const rng = new Rng(o.seed).fork('arithmetic-task');
  const share = o.easyShare ?? 0.3;
  const needlessCallShare = o.needlessCallShare ?? 0;
  if (!(needlessCallShare >= 0 && needlessCallShare <= 1)) throw new Error(`demo: arithmetic needlessCallShare must be in [0, 1], got ${needlessCallShare}`);
  const easyCount = Math.round(share * o.questions);
  if (easyCount > EASY_POOL) {
    throw new Error(`demo: arithmetic has ${EASY_POOL} distinct easy questions, ${easyCount} asked (${o.questions} questions × easy share ${share}); use fewer questions`);
  }
  const seen = new Set<string>();
  const draw = (easy: boolean): ArithmeticQuestion => {
    for (;;) {
      const a = 100 + rng.int(900);
      const b = easy ? rng.int(2) : 10 + rng.int(90);
      const q = { a, b };
      if (!easy && a * b < 10_000) continue;
      if (seen.has(questionText(q))) continue;
      seen.add(questionText(q));
      return q;
    }
  };
  const easy = Array.from({ length: easyCount }, () => draw(true));
  const hard = Array.from({ length: o.questions - easyCount }, () => draw(false));
  const heldOutCount = Math.max(1, Math.min(o.heldOut, Math.floor(o.questions / 4)));
  const heldEasy = Math.min(easy.length, Math.round(share * heldOutCount));
  const toSample = (q: ArithmeticQuestion, i: number): Sample => ({
    id: `q${i}`,
    messages: [{ role: 'user', content: questionText(q) }],
    answer: String(q.a * q.b),
    meta: { a: q.a, b: q.b, needsTool: needsTool(q) },
  });
  const heldOut = [...easy.slice(0, heldEasy), ...hard.slice(0, heldOutCount - heldEasy)];
  const train = rng.shuffle([...easy.slice(heldEasy), ...hard.slice(heldOutCount - heldEasy)]);
  return {
    name: 'arithmetic',
    heldOut: heldOut.map(toSample),
    train: train.map((q, i) => toSample(q, heldOut.length + i)),
    toolPlugins: [
      ['toolFormat/xml-tags-compact', { tags: ['python'] }],
      // One-line cells: short limits. `reset` with two sessions: an idle session is reset and reused by the
      // next trajectory, so an experiment loads two interpreters (~3 s each) instead of one per trajectory.
      ['tool/python', { timeoutMs: 3000, maxOutputChars: 200, maxCodeChars: 200, memoryLimitMb: 128, poolSize: 1, maxSessions: 2, onRelease: 'reset' }],
    ],
    maxNewTokens: 32,
    // The engine's per-call limit also covers loading an interpreter (~3 s idle, far more on a busy machine);
    // a cell itself stops at the tool's timeoutMs above.
    limits: { maxTurns: 2, maxTotalTokens: 160, maxToolCalls: 2, toolTimeoutMs: 60_000 },
    teacher: (context) => arithmeticTeacher(context, needlessCallShare),
    // Only calls on questions that need the tool count: needless calls are reported on their own.
    isFaithfulCall: (s, args) => {
      const code = callArgument(args);
      return s.meta?.needsTool === true && code.includes(String(s.meta?.a)) && code.includes(String(s.meta?.b));
    },
  };
}

/**
 * Whether the teacher makes a needless call on easy question `q`: for a `needlessCallShare` of the easy
 * questions, spread evenly over `a` by the golden-ratio sequence (so the habit looks random to the model).
 */
export const callsNeedlessly = (q: ArithmeticQuestion, needlessCallShare: number): boolean => ((q.a * 0.6180339887498949) % 1) < needlessCallShare;

/**
 * Hard questions computed with python, then the printed product copied; easy ones answered directly, except
 * for a `needlessCallShare` of them that go through python as well.
 */
export function arithmeticTeacher(context: string, needlessCallShare = 0): string {
  const printed = lastObservation(context)?.match(/stdout:\s*(\d+)/);
  if (printed) return `<answer>${printed[1]}</answer>`;
  const asked = [...context.matchAll(/(\d+)\*(\d+)=\?/g)].at(-1);
  if (!asked) throw new Error('demo: the arithmetic teacher found no "a*b=?" question in its context');
  const q = { a: Number(asked[1]), b: Number(asked[2]) };
  return needsTool(q) || callsNeedlessly(q, needlessCallShare) ? `<python>print(${q.a}*${q.b})</python>` : `<answer>${q.a * q.b}</answer>`;
}
