import type { ParseResult, SegmentImage, SpawnRequest, Tokenizer, Tool, ToolCallRecord, ToolResult } from '@tirl/core';
import { validateArgs } from '@tirl/core';
import type { Agent } from './agent';
import { finishAgent, type EngineContext } from './context';
import { appendImages, appendTokens, capObservation, tokenRoom } from './observation';
import { spawnChild } from './sub-agents';
import { errorResult, runToolCall } from './tool-runner';

/**
 * Runs every call (and reports every parse error) of one turn concurrently, in text order, records them
 * on the agent and appends the rendered observations as one masked `tool` segment.
 */
export async function executeCalls(ctx: EngineContext, a: Agent, parsed: ParseResult, text: string): Promise<void> {
  const turn = a.turn - 1;
  const items = [
    ...parsed.calls.map((c) => ({ at: text.indexOf(c.raw), call: c, error: undefined })),
    ...parsed.errors.map((e) => ({ at: text.indexOf(e.raw), call: undefined, error: e })),
  ].sort((x, y) => x.at - y.at);
  let hitCallLimit = false;
  const imagesOf = new Map<ToolCallRecord, SegmentImage[]>();
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
    const spawn = (req: SpawnRequest) => spawnChild(ctx, a, req, turn, spawnedIds);
    const started = Date.now();
    const toolCtx = { trajectoryId: a.id, rootId: a.rootId, turn, rng: ctx.input.rng.fork(`${a.id}/${turn}/${i}`), spawn, sample: a.sample };
    const result = await runToolCall(tool, args, toolCtx, ctx.input.limits.toolTimeoutMs, ctx.slots);
    const rec = record(turn, call.name, args, result, Date.now() - started);
    if (result.images?.length) imagesOf.set(rec, result.images);
    const childId = result.childId ?? spawnedIds.at(-1);
    if (childId) rec.childId = childId;
    return rec;
  });
  const records = await Promise.all(jobs);
  const room = tokenRoom(ctx, a, true);
  for (const r of records) r.observation = capObservation(r.observation, room);
  ctx.stats.toolCalls += records.length;
  ctx.stats.toolErrors += records.filter((r) => !r.ok).length;
  a.toolCalls.push(...records);
  a.lastTurnCalls = records.length;
  const shown = ctx.opts.subAgentResults === 'after-tools' ? [...records.filter((r) => !r.childId), ...records.filter((r) => r.childId)] : records;
  const results = shown.map((r) => ({ name: r.name, result: { ok: r.ok, observation: r.observation, error: r.error } as ToolResult }));
  let observation = renderObservation(ctx, results, lastTurnEndedWithEos(a, ctx));
  if (ctx.opts.budgetLine) observation += a.budget.line();
  const whole = appendTokens(ctx, a, 'tool', observation);
  if (whole) appendImages(ctx, a, shown.flatMap((r) => imagesOf.get(r) ?? []));
  if (hitCallLimit) return finishAgent(ctx, a, 'max_tool_calls');
  if (!whole && a.responseTokens >= ctx.input.limits.maxTotalTokens) finishAgent(ctx, a, 'max_tokens');
}

/** The observation text: the format's inline text, or its messages rendered as turns of the chat template. */
function renderObservation(ctx: EngineContext, results: { name: string; result: ToolResult }[], endedWithEos: boolean): string {
  const format = ctx.input.toolFormat;
  const messages = format.observationMessages?.(results);
  if (!messages) return format.renderObservations(results);
  return assistantTurnEnd(ctx.tokenizer, endedWithEos) + ctx.tokenizer.renderChat(messages, { addGenerationPrompt: true });
}

const SENTINEL = '\u0000TURN\u0000';

/**
 * What the chat template writes after an assistant message's content (e.g. `<|im_end|>\n`), less the
 * end-of-sequence text when the policy already generated it.
 */
export function assistantTurnEnd(tk: Tokenizer, endedWithEos: boolean): string {
  const rendered = tk.renderChat([{ role: 'assistant', content: SENTINEL }]);
  const at = rendered.indexOf(SENTINEL);
  let end = at === -1 ? '' : rendered.slice(at + SENTINEL.length);
  const eos = tk.decode([tk.eosTokenId]);
  if (endedWithEos && eos && end.startsWith(eos)) end = end.slice(eos.length);
  return end;
}

function lastTurnEndedWithEos(a: Agent, ctx: EngineContext): boolean {
  const last = [...a.segments].reverse().find((s) => s.source === 'policy');
  return last?.tokenIds.at(-1) === ctx.tokenizer.eosTokenId;
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
