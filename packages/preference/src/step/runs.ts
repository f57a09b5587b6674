/** Maximal runs of consecutive trained tokens in one row: the steps (assistant turns) of a trajectory row. */
export function trainedRuns(mask: readonly number[]): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = [];
  for (let t = 0; t < mask.length; t++) {
    if (!(mask[t] > 0)) continue;
    if (runs.length && runs[runs.length - 1].end === t) runs[runs.length - 1].end = t + 1;
    else runs.push({ start: t, end: t + 1 });
  }
  return runs;
}
