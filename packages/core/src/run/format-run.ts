import type { ResolvedRun } from './compose-run';

const MAX_VALUE = 48;

/** A value as JSON, cut to a readable length (a corpus passed inline would otherwise fill the screen). */
const value = (v: unknown) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}… (${text.length} chars)` : text;
};

/**
 * The run as aligned text, one value per line with where it came from, e.g.
 * `objective/ppo-clip.epsHigh = 0.28   method:dapo`.
 */
export function formatRun(run: ResolvedRun): string {
  const rows: [string, string][] = [];
  for (const p of run.plugins) {
    rows.push([p.id, run.sources[p.id] ?? '']);
    for (const [key, from] of Object.entries(run.sources)) {
      if (key.startsWith(`${p.id}.`)) rows.push([`  ${key.slice(p.id.length + 1)} = ${value(lookup(p.options, key.slice(p.id.length + 1)))}`, from]);
    }
  }
  for (const [key, from] of Object.entries(run.sources)) {
    if (key.startsWith('settings.')) rows.push([`${key} = ${value(lookup(run.settings, key.slice('settings.'.length)))}`, from]);
  }
  for (const r of run.removed) rows.push([`(removed) ${r.id}`, r.by]);
  const width = Math.min(72, Math.max(...rows.map(([left]) => left.length))) + 3;
  const header = `run "${run.name}": method ${run.chain.join(' > ')}, task ${run.task ?? '(none)'}, scale ${run.scale ?? '(none)'}`;
  const papers = run.papers.map((p) => `  paper: ${p.title}${p.arxiv ? ` (arXiv ${p.arxiv})` : ''}${p.section ? `, ${p.section}` : ''}`);
  const note = '  options not listed take their plugin defaults; settings not listed take the trainer defaults';
  return [header, ...papers, note, ...rows.map(([left, from]) => `  ${left.padEnd(width)}${from}`)].join('\n');
}

function lookup(obj: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown> | undefined)?.[k], obj);
}
