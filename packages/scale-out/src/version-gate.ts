/**
 * Lets rollouts run concurrently on one model while weights change only between rollouts: a switch waits
 * until no rollout is in flight and holds new ones back meanwhile, so every token of a rollout comes from
 * the version it started with.
 */
export class VersionGate {
  loaded = -1;
  private inFlight = 0;
  private switching?: Promise<void>;
  private wantSwitch = false;
  private idleWaiters: (() => void)[] = [];

  /**
   * Waits until the loaded version is at least `minVersion` (switching to the newest when idle) and
   * registers a rollout; returns the version it runs on. `newest` reads the store, `load` switches.
   */
  async enter(minVersion: number, newest: () => Promise<number | null>, load: (v: number) => Promise<void>, pollMs = 100): Promise<number> {
    for (;;) {
      if (this.switching) {
        await this.switching;
        continue;
      }
      const latest = (await newest()) ?? -1;
      if (this.switching) continue;
      const mustSwitch = minVersion > this.loaded;
      if (latest > this.loaded && (mustSwitch || this.inFlight === 0)) {
        if (this.inFlight > 0) {
          this.wantSwitch = true;
          await new Promise<void>((r) => this.idleWaiters.push(r));
          continue;
        }
        this.wantSwitch = false;
        this.switching = load(latest).then(
          () => {
            this.loaded = latest;
            this.switching = undefined;
          },
          (e) => {
            this.switching = undefined;
            throw e;
          },
        );
        await this.switching;
        continue;
      }
      if (mustSwitch) {
        await new Promise((r) => setTimeout(r, pollMs)); // the version is announced but not yet visible here
        continue;
      }
      if (this.wantSwitch && this.inFlight > 0) {
        await new Promise<void>((r) => this.idleWaiters.push(r));
        continue;
      }
      this.inFlight += 1;
      return this.loaded;
    }
  }

  leave(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const r of this.idleWaiters.splice(0)) r();
  }
}
