/**
 * Tool-call budgets of one trajectory: a global call limit and optional per-tool limits (BATS).
 * `line()` renders the BATS Budget Tracker block shown to the model after observations.
 */
export class ToolBudget {
  private used = new Map<string, number>();
  private total = 0;

  constructor(
    readonly maxToolCalls: number,
    readonly perTool: Readonly<Record<string, number>> = {},
  ) {}

  get callsUsed(): number {
    return this.total;
  }

  /** Why a call of `name` may not run now, or undefined when it may. */
  refusal(name: string): { reason: string; global: boolean } | undefined {
    if (this.total >= this.maxToolCalls) {
      return { reason: `the limit of ${this.maxToolCalls} tool calls per rollout is reached`, global: true };
    }
    const cap = this.perTool[name];
    if (cap !== undefined && (this.used.get(name) ?? 0) >= cap) {
      return { reason: `the budget of ${cap} calls to ${name} is spent`, global: false };
    }
    return undefined;
  }

  charge(name: string): void {
    this.total++;
    this.used.set(name, (this.used.get(name) ?? 0) + 1);
  }

  usedBy(name: string): number {
    return this.used.get(name) ?? 0;
  }

  line(): string {
    const names = Object.keys(this.perTool);
    const rows = names.length
      ? names.map((n) => `${n} Budget Used: ${this.usedBy(n)}, ${n} Budget Remaining: ${Math.max(0, this.perTool[n] - this.usedBy(n))}`)
      : [`Tool Calls Used: ${this.total}, Tool Calls Remaining: ${Math.max(0, this.maxToolCalls - this.total)}`];
    return `\n<budget>\n${rows.join('\n')}\nMake the best use of the available resources.\n</budget>\n`;
  }

  clone(): ToolBudget {
    const copy = new ToolBudget(this.maxToolCalls, this.perTool);
    copy.total = this.total;
    copy.used = new Map(this.used);
    return copy;
  }
}
