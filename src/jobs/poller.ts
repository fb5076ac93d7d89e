// The polling loop both queue backends share: poll now and then every interval, one poll at a time;
// a wake-up during a poll only asks that poll to go round once more.
import type { Logger } from 'pino';

export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly options: { intervalMs: number; isActive: () => boolean; poll: () => Promise<void>; logger: Logger },
  ) {}

  /** Looks for work now rather than at the next interval. */
  wake(): void {
    if (!this.options.isActive()) return;
    clearTimeout(this.timer);
    void this.tick();
  }

  tick(): Promise<void> {
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = this.run().finally(() => {
      this.ticking = undefined;
      if (this.options.isActive()) {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.tick(), this.options.intervalMs);
        this.timer.unref();
      }
    });
    return this.ticking;
  }

  /** Stops the timer and waits for a poll in progress. */
  async halt(): Promise<void> {
    clearTimeout(this.timer);
    await this.ticking;
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.options.poll();
      } catch (err) {
        this.options.logger.error({ err }, 'job queue poll failed; trying again at the next poll');
      }
    } while (this.again && this.options.isActive());
  }
}
