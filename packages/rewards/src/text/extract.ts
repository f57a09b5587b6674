/** Where a final answer may be written. */
export type AnswerSource = 'answer-tag' | 'boxed' | 'final-answer';

export const ANSWER_SOURCES: readonly AnswerSource[] = ['answer-tag', 'boxed', 'final-answer'];

/** Content of the last `\boxed{...}` (or `\fbox{...}`) with balanced braces; undefined when absent or unbalanced. */
export function lastBoxed(text: string): string | undefined {
  const re = /\\(?:boxed|fbox)\s*\{/g;
  let start = -1;
  for (let m = re.exec(text); m; m = re.exec(text)) start = m.index + m[0].length;
  if (start < 0) {
    const bare = /\\boxed ([^\s$]+)/g;
    let last: string | undefined;
    for (let m = bare.exec(text); m; m = bare.exec(text)) last = m[1];
    return last;
  }
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(start, i).trim();
  }
  return undefined;
}

/** Content of the last `<answer>...</answer>` block. */
export function lastAnswerTag(text: string): string | undefined {
  const re = /<answer>([\s\S]*?)<\/answer>/g;
  let last: string | undefined;
  for (let m = re.exec(text); m; m = re.exec(text)) last = m[1];
  return last?.trim();
}

/** `Final answer: X`, `the answer is X`, or a GSM8K `#### X` line (the last one). */
export function finalAnswerLine(text: string): string | undefined {
  const re = /(?:final answer\s*(?:is)?\s*[:：]?|the answer is\s*[:：]?|^####)\s*([^\n]+)/gim;
  let last: string | undefined;
  for (let m = re.exec(text); m; m = re.exec(text)) last = m[1];
  return last?.trim().replace(/[.。]\s*$/, '').trim() || undefined;
}

/**
 * The final answer of a response, trying the sources in order. An `<answer>` block that holds a
 * `\boxed{}` yields the boxed content.
 */
export function extractAnswer(text: string, sources: readonly AnswerSource[] = ANSWER_SOURCES): string | undefined {
  for (const source of sources) {
    if (source === 'answer-tag') {
      const tag = lastAnswerTag(text);
      if (tag !== undefined) return lastBoxed(tag) ?? tag;
    } else if (source === 'boxed') {
      const boxed = lastBoxed(text);
      if (boxed !== undefined) return boxed;
    } else {
      const line = finalAnswerLine(text);
      if (line !== undefined) return lastBoxed(line) ?? line;
    }
  }
  return undefined;
}
