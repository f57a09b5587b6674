/**
 * The RL steps at which the demo evaluates: 0 (the SFT warm start), every `every` steps, and the last step,
 * ascending and without repeats. `every` 0 evaluates before and after RL only.
 */
export function evaluationSteps(steps: number, every: number): number[] {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`demo: RL steps must be a non-negative integer, got ${steps}`);
  if (!Number.isInteger(every) || every < 0) throw new Error(`demo: --eval-every must be a non-negative integer, got ${every}`);
  const points = new Set([0, steps]);
  if (every > 0) for (let s = every; s < steps; s += every) points.add(s);
  return [...points].sort((a, b) => a - b);
}

/** How the demo picks the checkpoint it reports: by validation accuracy, never by the held-out test set. */
export interface SelectionRule {
  /** A later checkpoint replaces the kept one only when its validation accuracy is higher by more than this. */
  minGain: number;
  /** Stop RL after this many evaluations in a row without a new kept checkpoint (0: never stop early). */
  patience: number;
}

/**
 * Keeps the checkpoint with the best validation accuracy, starting from the SFT warm start (step 0): a later
 * one must beat the kept one by more than `minGain`, so noise alone rarely moves the choice off a warm start
 * that is already good.
 */
export class CheckpointSelector {
  private kept: { step: number; validation: number } | undefined;
  private sinceKept = 0;

  constructor(private readonly rule: SelectionRule) {
    if (!(rule.minGain >= 0)) throw new Error(`demo: minGain must be ≥ 0, got ${rule.minGain}`);
    if (!Number.isInteger(rule.patience) || rule.patience < 0) throw new Error(`demo: patience must be a non-negative integer, got ${rule.patience}`);
  }

  /** Records the evaluation at `step`; true when this checkpoint becomes the kept one. */
  offer(step: number, validation: number): boolean {
    if (this.kept === undefined || validation > this.kept.validation + this.rule.minGain) {
      this.kept = { step, validation };
      this.sinceKept = 0;
      return true;
    }
    this.sinceKept++;
    return false;
  }

  /** The kept checkpoint's step and validation accuracy. */
  get best(): { step: number; validation: number } {
    if (!this.kept) throw new Error('demo: no checkpoint was evaluated');
    return this.kept;
  }

  /** Whether `patience` evaluations in a row have passed without a new kept checkpoint. */
  get shouldStop(): boolean {
    return this.rule.patience > 0 && this.sinceKept >= this.rule.patience;
  }
}
