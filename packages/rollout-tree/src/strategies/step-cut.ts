import type { Segment, Tokenizer, ToolCallRecord, ToolFormat, Trajectory } from '@tirl/core';
import { tokenSpan } from '../engine/action-spans';

/** What counts as a code execution, and when it passed (THOR: the sandbox answered "Done"). */
export interface ExecutionRule {
  /** Tool names that execute code (`python`). */
  codeTools: readonly string[];
  /** An execution that printed nothing fails (THOR's sandbox says "Done" only for exit code 0 with non-empty stdout). */
  emptyOutputFails: boolean;
}

/** Observations of a run that printed nothing (`tool/python` writes `(no output)`). */
function emptyOutput(observation: string): boolean {
  const text = observation.trim();
  return text === '' || text === '(no output)';
}

export function isCodeCall(call: ToolCallRecord, rule: ExecutionRule): boolean {
  // A call refused by a budget never ran: it is neither a pass nor a failed execution.
  return rule.codeTools.includes(call.name) && call.error !== 'budget';
}

/** A code call that ran and failed (an error, or no output when `emptyOutputFails`). */
export function isFailedExecution(call: ToolCallRecord, rule: ExecutionRule): boolean {
  return isCodeCall(call, rule) && (!call.ok || (rule.emptyOutputFails && emptyOutput(call.observation)));
}

/** The prefix a step-level sample continues from, as token ids after the prompt. */
export interface StepPrefix {
  /** Tokens of the response kept as the step sample's prompt (after the original prompt). */
  tokenIds: number[];
  /** Turns the kept prefix has started (the regenerated step continues the last of them or starts the next). */
  turn: number;
  /** Where the cut was made before removing `delLastTokens`: at a failed call, the last call, or the end. */
  cutAt: 'failed-call' | 'last-call' | 'end';
}

/**
 * THOR's step cut (`remove_last_python_output`), on token ids: the response up to the start of its last
 * failed code call (else its last code call, else all of it), less the last `delLastTokens` tokens. The
 * call's start is found by re-parsing the turn's text with the run's tool format and mapping the character
 * offset of the call's raw text to the tokens that hold it, so a multi-byte character is never split.
 */
export function stepPrefix(t: Trajectory, format: ToolFormat, tokenizer: Tokenizer, rule: ExecutionRule, delLastTokens: number): StepPrefix {
  const [prompt, ...response] = t.segments;
  const responseIds = response.flatMap((s) => s.tokenIds);
  let cut = responseIds.length;
  let cutAt: StepPrefix['cutAt'] = 'end';
  const failed = lastIndex(t.toolCalls, (c) => isFailedExecution(c, rule));
  const target = failed >= 0 ? failed : lastIndex(t.toolCalls, (c) => isCodeCall(c, rule));
  if (target >= 0 && prompt?.source === 'prompt') {
    const at = callStart(t, target, response, format, tokenizer);
    if (at !== undefined) {
      cut = at;
      cutAt = failed >= 0 ? 'failed-call' : 'last-call';
    }
  }
  const kept = Math.max(0, cut - delLastTokens);
  return { tokenIds: responseIds.slice(0, kept), turn: turnAt(response, kept), cutAt };
}

/** Token offset (after the prompt) of the first token of call `index`'s raw text, or undefined when it cannot be located. */
function callStart(t: Trajectory, index: number, response: readonly Segment[], format: ToolFormat, tokenizer: Tokenizer): number | undefined {
  const call = t.toolCalls[index];
  const sameTurn = t.toolCalls.map((c, i) => ({ c, i })).filter(({ c }) => c.turn === call.turn);
  const position = sameTurn.findIndex(({ i }) => i === index);
  let offset = 0;
  for (const seg of response) {
    if (seg.source === 'policy' && seg.turn === call.turn) {
      const text = seg.text ?? tokenizer.decode(seg.tokenIds, { skipSpecialTokens: true });
      const parsed = format.parse(text);
      // The engine records a turn's calls and parse errors in text order.
      const raws = [...parsed.calls.map((c) => c.raw), ...parsed.errors.map((e) => e.raw)]
        .map((raw) => ({ raw, at: text.indexOf(raw) }))
        .filter((r) => r.at >= 0)
        .sort((x, y) => x.at - y.at);
      const hit = raws[position];
      if (!hit) return undefined;
      return offset + tokenSpan(tokenizer, seg.tokenIds, hit.at, hit.at + hit.raw.length)[0];
    }
    offset += seg.tokenIds.length;
  }
  return undefined;
}

/** The turn of the response position `kept`: the turn of the policy segment it falls in, else the next turn. */
export function turnAt(response: readonly Segment[], kept: number): number {
  let offset = 0;
  let turn = 0;
  for (const seg of response) {
    if (seg.source === 'policy' && seg.turn !== undefined) {
      if (kept <= offset + seg.tokenIds.length && kept > offset) return seg.turn;
      if (kept <= offset) return turn;
      turn = seg.turn + 1;
    }
    offset += seg.tokenIds.length;
  }
  return turn;
}

function lastIndex<T>(items: readonly T[], pred: (x: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i])) return i;
  return -1;
}

/**
 * The first `n` response tokens of `segments` (after the prompt segment), as segments: whole ones, then the
 * one the cut falls in sliced on token ids (with its log-probs and entropies) and its text re-decoded.
 */
export function keepResponse(segments: readonly Segment[], n: number, tokenizer: Tokenizer): Segment[] {
  const out: Segment[] = [];
  let left = n;
  for (const seg of segments) {
    if (left <= 0) break;
    if (seg.tokenIds.length <= left) {
      out.push({ ...seg });
      left -= seg.tokenIds.length;
      continue;
    }
    const cut: Segment = { ...seg, tokenIds: seg.tokenIds.slice(0, left), text: tokenizer.decode(seg.tokenIds.slice(0, left), { skipSpecialTokens: seg.source === 'policy' }) };
    if (seg.logProbs) cut.logProbs = seg.logProbs.slice(0, left);
    if (seg.entropies) cut.entropies = seg.entropies.slice(0, left);
    delete cut.images;
    out.push(cut);
    left = 0;
  }
  return out;
}
