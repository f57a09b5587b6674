/** A one-line console progress bar with ETA and a few key metrics, redrawn in place on a terminal. */
export class ProgressLine {
  private readonly start = Date.now();

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, metrics: Record<string, number> = {}, keys: readonly string[] = []): void {
    const width = 24;
    const filled = Math.round((done / Math.max(1, this.total)) * width);
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : NaN;
    const shown = keys
      .filter((k) => metrics[k] !== undefined)
      .map((k) => `${k} ${format(metrics[k])}`)
      .join('  ');
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ` +
      `${elapsed.toFixed(0)}s eta ${Number.isFinite(eta) ? eta.toFixed(0) : '?'}s  ${shown}`;
    if (this.out.isTTY) this.out.write(`\r${line.padEnd(this.out.columns ?? 120).slice(0, (this.out.columns ?? 120) - 1)}`);
    else this.out.write(`${line}\n`);
  }

  done(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}

function format(v: number): string {
  return Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toPrecision(3);
}
