import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { TirlError } from '@tirl/core';
import { TRAJECTORY_LOG_FILE, TRAJECTORY_LOG_FORMAT, TRAJECTORY_LOG_VERSION, type StepTrajectories } from '../trajectory-log/format';

/** A summary of one logged step, for the step list and its filters. */
export interface StepSummary {
  step: number;
  trees: number;
  trajectories: number;
  meanReward: number | null;
  toolCalls: number;
  failedToolCalls: number;
}

interface LineIndex {
  offset: number;
  length: number;
}

/**
 * Reads a growing JSONL file incrementally: only bytes appended since the last call are parsed, a partial
 * last line waits for its newline, and a file that shrank (a resumed run rewrote it) is read again.
 */
class GrowingJsonl {
  private scanned = 0;
  readonly lines: LineIndex[] = [];

  constructor(readonly path: string) {}

  /** Indexes lines appended since the last call; returns the index of the first new line. */
  refresh(): number {
    const size = existsSync(this.path) ? statSync(this.path).size : 0;
    if (size < this.scanned) {
      this.scanned = 0;
      this.lines.length = 0;
    }
    const first = this.lines.length;
    if (size === this.scanned) return first;
    const buf = Buffer.alloc(size - this.scanned);
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, buf, 0, buf.length, this.scanned);
    } finally {
      closeSync(fd);
    }
    let start = 0;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, start)) {
      if (nl > start) this.lines.push({ offset: this.scanned + start, length: nl - start });
      start = nl + 1;
    }
    this.scanned += start;
    return first;
  }

  read(i: number): string {
    const { offset, length } = this.lines[i];
    const buf = Buffer.alloc(length);
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, buf, 0, length, offset);
    } finally {
      closeSync(fd);
    }
    return buf.toString('utf8');
  }
}

/** One run folder as the viewer sees it: metrics, the trajectory log and the recipe's name. */
export class RunFiles {
  readonly name: string;
  private readonly metrics: GrowingJsonl;
  private readonly trajectories: GrowingJsonl;
  private readonly summaries: (StepSummary & { line: number })[] = [];

  constructor(readonly dir: string) {
    this.dir = resolve(dir);
    if (!existsSync(this.dir) || !statSync(this.dir).isDirectory()) {
      throw new TirlError(`tirl view: run folder ${dir} does not exist. Give the runDir a training run wrote (it holds metrics.jsonl).`, 'invalid-options');
    }
    if (!existsSync(join(this.dir, 'metrics.jsonl')) && !existsSync(join(this.dir, TRAJECTORY_LOG_FILE))) {
      throw new TirlError(`tirl view: ${dir} holds neither metrics.jsonl nor ${TRAJECTORY_LOG_FILE}. Give the runDir of a training run.`, 'invalid-options');
    }
    this.name = basename(this.dir);
    this.metrics = new GrowingJsonl(join(this.dir, 'metrics.jsonl'));
    this.trajectories = new GrowingJsonl(join(this.dir, TRAJECTORY_LOG_FILE));
  }

  recipeName(): string | undefined {
    try {
      return (JSON.parse(readFileSync(join(this.dir, 'recipe.json'), 'utf8')) as { name?: string }).name;
    } catch {
      return undefined;
    }
  }

  /** Metric rows from line `from` on (unparsable lines are skipped), and the line to ask from next. */
  metricsFrom(from: number): { rows: Record<string, number | null>[]; next: number } {
    this.metrics.refresh();
    if (from > this.metrics.lines.length) from = 0; // the file was rewritten (resume): start again
    const rows: Record<string, number | null>[] = [];
    for (let i = from; i < this.metrics.lines.length; i++) {
      try {
        rows.push(JSON.parse(this.metrics.read(i)) as Record<string, number | null>);
      } catch {
        /* a line cut off by a crash: skipped */
      }
    }
    return { rows, next: this.metrics.lines.length };
  }

  steps(): StepSummary[] {
    const first = this.trajectories.refresh();
    if (first < this.summaries.length) this.summaries.length = 0;
    for (let i = this.summaries.length; i < this.trajectories.lines.length; i++) {
      const record = this.parseStep(i);
      if (record) this.summaries.push({ ...summarize(record), line: i });
    }
    return this.summaries.map(({ line: _line, ...s }) => s);
  }

  step(step: number): StepTrajectories | undefined {
    this.steps();
    const entry = [...this.summaries].reverse().find((s) => s.step === step);
    return entry ? this.parseStep(entry.line) : undefined;
  }

  private parseStep(line: number): StepTrajectories | undefined {
    let record: StepTrajectories;
    try {
      record = JSON.parse(this.trajectories.read(line)) as StepTrajectories;
    } catch {
      return undefined;
    }
    if (record.format !== TRAJECTORY_LOG_FORMAT || record.version > TRAJECTORY_LOG_VERSION) return undefined;
    return record;
  }
}

function summarize(r: StepTrajectories): StepSummary {
  const all = r.trees.flatMap((t) => t.trajectories);
  const roots = all.filter((t) => t.parentId === undefined && t.reward !== undefined);
  const calls = all.flatMap((t) => t.toolCalls);
  return {
    step: r.step,
    trees: r.trees.length,
    trajectories: all.length,
    meanReward: roots.length ? roots.reduce((a, t) => a + (t.reward ?? 0), 0) / roots.length : null,
    toolCalls: calls.length,
    failedToolCalls: calls.filter((c) => !c.ok).length,
  };
}
