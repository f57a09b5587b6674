import 'reflect-metadata';
import { ByteTokenizer } from '@tirl/policy';
import { ACCURACY, buildRecipe, DEFAULT_OPTIONS } from '../src/demo';
import { demonstrationTraces } from '../src/sft';
import { makeTask } from '../src/tasks';
import { GUESSED_ANSWER, searchTask, searchTeacher, teacherGuesses, UNSURE_INITIALS } from '../src/tasks/search';

const question = (name: string) => `<|user|>Capital of ${name}?<|eos|><|assistant|>`;

describe('search task teacher', () => {
  it('guesses only on names with an unsure initial, never at share 0, always at share 1', () => {
    expect(teacherGuesses('Mabemo', 1, 1)).toBe(false); // M is not an unsure initial
    expect(teacherGuesses('Babemo', 1, 0)).toBe(false);
    for (const initial of UNSURE_INITIALS) expect(teacherGuesses(`${initial}abemo`, 1, 1)).toBe(true);
  });

  it('guesses on about the given share of unsure names, and on other names for another seed', () => {
    const task = searchTask({ seed: 3, entities: 4000, heldOut: 64 });
    const unsure = task.train.map((s) => String(s.meta?.entity)).filter((n) => UNSURE_INITIALS.includes(n[0]));
    // 6 of 14 onsets: 3/7 of the names, within 3 points on 3,936 names.
    expect(Math.abs(unsure.length / task.train.length - 6 / 14)).toBeLessThan(0.03);
    const guessed = unsure.filter((n) => teacherGuesses(n, 3, 0.75));
    expect(Math.abs(guessed.length / unsure.length - 0.75)).toBeLessThan(0.04);
    const otherSeed = unsure.filter((n) => teacherGuesses(n, 4, 0.75));
    expect(otherSeed).not.toEqual(guessed);
  });

  it('answers a guessed question at once with the guess, and searches the others', () => {
    const guess = (name: string) => (name === 'Bavo' ? GUESSED_ANSWER : undefined);
    expect(searchTeacher(question('Bavo'), guess)).toBe('<answer>unknown</answer>');
    expect(searchTeacher(question('Mavo'), guess)).toBe('<search>Mavo</search>');
    expect(searchTeacher(`${question('Mavo')}<search>Mavo</search>\n<result>\n[1] Mavo (id: d0001)\ncapital Tesu\n</result>\n`, guess)).toBe('<answer>Tesu</answer>');
  });

  it('records guessed demonstrations (wrong, no tool call) and still refuses other wrong ones', async () => {
    const task = makeTask('search', 2, 200, 10, { guessShare: 1 });
    const recipe = buildRecipe('grpo', task, DEFAULT_OPTIONS, 'evaluate');
    const lines: string[] = [];
    const traces = await demonstrationTraces(recipe, task, new ByteTokenizer(), task.train, ACCURACY, (l) => lines.push(l));
    const guessedIds = new Set(task.train.filter((s) => task.teacherGuesses!(s)).map((s) => s.id));
    expect(guessedIds.size).toBe(task.train.filter((s) => UNSURE_INITIALS.includes(String(s.meta?.entity)[0])).length);
    for (const t of traces) {
      const text = t.segments.filter((s) => s.source === 'policy').map((s) => s.text ?? '').join('');
      const answer = task.train.find((s) => s.id === t.sampleId)!.answer;
      if (guessedIds.has(t.sampleId)) {
        expect(text).not.toContain('<search>');
        expect(text).toContain('<answer>unknown</answer>');
        expect(t.rewardComponents?.[ACCURACY]).toBe(0);
      } else {
        expect(text).toContain(`<answer>${answer}</answer>`);
      }
    }
    expect(lines.join('\n')).toContain(`the teacher guessed without the tool on ${guessedIds.size} of ${task.train.length} questions (${guessedIds.size} of those answers are wrong)`);
    const broken = { ...task, teacherGuesses: undefined };
    await expect(demonstrationTraces(recipe, broken, new ByteTokenizer(), task.train, ACCURACY)).rejects.toThrow(/demonstrations are not correct/);
  });

  it('rejects a share outside [0, 1] and the flag on another task', () => {
    expect(() => searchTask({ seed: 1, entities: 40, heldOut: 4, guessShare: 1.2 })).toThrow(/guessShare must be in \[0, 1\], got 1.2/);
    expect(() => makeTask('multihop', 1, 300, 4, { guessShare: 0.5 })).toThrow(/--teacher-guesses applies to --task search only, not "multihop"/);
  });
});
