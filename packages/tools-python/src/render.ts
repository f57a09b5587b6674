import type { ToolResult } from '@tirl/core';
import type { SessionOutcome } from './sandbox/python-pool';
import type { RunReply } from './sandbox/worker-protocol';

/** Clips `text` to `max` characters; the marker says how much was dropped. */
export function clipOutput(text: string, droppedBytes: number, max: number, stream: string): string {
  let dropped = droppedBytes;
  let kept = text;
  if (kept.length > max) {
    dropped += Buffer.byteLength(kept.slice(max));
    kept = kept.slice(0, max);
  }
  return dropped > 0 ? `${kept}\n[... ${stream} truncated: ${dropped} more bytes not shown ...]` : kept;
}

/**
 * The reply's output, value and traceback. `interruptIsDeadline`: the cell was stopped at the deadline,
 * so its KeyboardInterrupt is the timeout (said once, by the caller); otherwise the cell's own code raised
 * it and its traceback is shown like any exception's.
 */
function renderReply(reply: RunReply, max: number, interruptIsDeadline: boolean): string[] {
  const parts: string[] = [];
  if (reply.stdout || reply.stdoutDroppedBytes) parts.push(`stdout:\n${clipOutput(reply.stdout, reply.stdoutDroppedBytes, max, 'stdout')}`);
  if (reply.stderr || reply.stderrDroppedBytes) parts.push(`stderr:\n${clipOutput(reply.stderr, reply.stderrDroppedBytes, max, 'stderr')}`);
  if (reply.value !== null) {
    const marker = reply.valueDropped > 0 ? `\n[... result truncated: ${reply.valueDropped} more characters not shown ...]` : '';
    parts.push(`result: ${reply.value}${marker}`);
  }
  if (reply.error && !(interruptIsDeadline && reply.error.type === 'KeyboardInterrupt')) parts.push(`error:\n${reply.error.traceback}`);
  return parts;
}

/** Turns a cell's outcome into what the model sees. */
export function renderOutcome(outcome: SessionOutcome, opts: { timeoutMs: number; maxOutputChars: number; memoryLimitMb: number }): ToolResult {
  const parts: string[] = [];
  if (outcome.resetNote) parts.push(`note: ${outcome.resetNote}; variables from earlier cells are gone.`);
  if (outcome.kind === 'crash') {
    parts.push(`error: the Python interpreter crashed (${outcome.message}); it was restarted, so variables from earlier cells are gone.`);
    return { ok: false, error: 'crash', observation: parts.join('\n') };
  }
  if (outcome.kind === 'timeout') {
    if (outcome.reply) parts.push(...renderReply(outcome.reply, opts.maxOutputChars, true));
    const what = outcome.aborted ? 'the call was aborted' : `timed out after ${opts.timeoutMs} ms`;
    parts.push(
      outcome.stateLost
        ? `error: ${what}; the interpreter was stopped and restarted, so variables from earlier cells are gone.`
        : `error: ${what} (KeyboardInterrupt); variables from earlier cells are kept.`,
    );
    return { ok: false, error: 'timeout', observation: parts.join('\n') };
  }
  const reply = outcome.reply;
  parts.push(...renderReply(reply, opts.maxOutputChars, false));
  if (reply.fatal) {
    parts.push('note: the interpreter was restarted after this sandbox violation; variables from earlier cells are gone.');
  }
  if (reply.error?.type === 'MemoryError') parts.push(`note: each session may use at most ${opts.memoryLimitMb} MB of memory.`);
  if (parts.length === 0) parts.push('(no output)');
  const error = reply.fatal ? 'sandbox' : reply.error?.type === 'MemoryError' ? 'memory' : reply.error ? 'exception' : undefined;
  return error ? { ok: false, error, observation: parts.join('\n') } : { ok: true, observation: parts.join('\n') };
}
