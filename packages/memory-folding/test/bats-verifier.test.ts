import { parseOptions, type MemoryManager, type Trajectory } from '@tirl/core';
import { ByteTokenizer, makeTrajectory, runMemoryKit, testPluginContext } from '@tirl/core/testing';
import { batsVerdict, batsVerifier, budgetLeft, parseVerification } from '../src';

runMemoryKit(batsVerifier, { valid: {}, invalid: [{ options: { tag: 'Bad Tag' }, field: 'tag' }, { options: { minBudget: -1 }, field: 'minBudget' }] });

const tokenizer = new ByteTokenizer();
const create = (options: Record<string, unknown>) => batsVerifier.create(parseOptions(batsVerifier.id, batsVerifier.options, options), testPluginContext(batsVerifier.id)) as MemoryManager;

/** A trajectory: prompt, then the policy's text, after `searches` search calls and `browses` browse calls. */
function attempt(text: string, searches: number, browses = 0): Trajectory {
  const t = makeTrajectory({ id: 'r', segments: [['prompt', 3], ['policy', 4]] });
  t.segments[0].text = 'who?';
  t.segments[1].text = text;
  t.toolCalls = [
    ...Array.from({ length: searches }, (_, i) => ({ turn: i, name: 'search', args: {}, ok: true, observation: '' })),
    ...Array.from({ length: browses }, (_, i) => ({ turn: i, name: 'browse', args: {}, ok: true, observation: '' })),
  ];
  return t;
}

describe('memory/bats-verifier (BATS budget-aware verification)', () => {
  it('decides as the worked example: [sat, sat] SUCCESS, [sat, contradicted] PIVOT, [sat, unverifiable] CONTINUE with budget left', () => {
    expect(batsVerdict(['satisfied', 'satisfied'], 18, 1)).toBe('SUCCESS');
    expect(batsVerdict(['satisfied', 'contradicted'], 18, 1)).toBe('PIVOT');
    expect(batsVerdict(['satisfied', 'unverifiable'], 18, 1)).toBe('CONTINUE');
    // No budget left: the lead cannot be followed further.
    expect(batsVerdict(['satisfied', 'unverifiable'], 0, 1)).toBe('PIVOT');
  });

  it('counts the budget left per tool: search = browse = 10 after 2 searches → 8 + 10 = 18', () => {
    expect(budgetLeft(attempt('', 2), { search: 10, browse: 10 })).toBe(18);
    expect(budgetLeft(attempt('', 12), { search: 10 })).toBe(0);
  });

  it('parses one status per constraint line and the summary', () => {
    expect(parseVerification('- born in 1950: satisfied\n- plays violin: Unverifiable\nSummary: found the birth year only')).toEqual({
      statuses: ['satisfied', 'unverifiable'],
      summary: 'found the birth year only',
    });
  });

  it('SUCCESS keeps the context and tells the policy to answer; PIVOT replaces the trajectory by prompt + summary', async () => {
    const memory = create({ budgets: { search: 10, browse: 10 } });
    expect(memory.foldTag).toBe('</verify>');
    const ok = await memory.onOverflow({ trajectory: attempt('<verify>\n- a: satisfied\n- b: satisfied\nSummary: both hold</verify>', 2), contextTokens: 10, budget: 1000, tokenizer, trigger: 'tag' });
    expect(ok).toEqual({ kind: 'continue', observation: '\n<verdict>SUCCESS: every constraint is satisfied. Give your final answer.</verdict>\n' });
    const pivot = await memory.onOverflow({ trajectory: attempt('<verify>\n- a: satisfied\n- b: contradicted\nSummary: Alice was born in 1960</verify>', 2), contextTokens: 10, budget: 1000, tokenizer, trigger: 'tag' });
    expect(pivot.kind).toBe('fold');
    if (pivot.kind !== 'fold') return;
    // The new context: the prompt segment, then one masked segment with the verdict and the summary.
    expect(pivot.context.map((s) => s.source)).toEqual(['prompt', 'injected']);
    expect(pivot.context[1].text).toBe('\n<verdict>PIVOT</verdict>\nSummary of the previous attempt: Alice was born in 1960\nDrop this lead and try another.\n');
  });
});
