export interface Backoff {
  /** Delay before the first poll, and after a poll that saw a change. */
  initialMs: number;
  /** Each poll that saw no change multiplies the delay by this. */
  factor: number;
  /** The delay never grows past this. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, factor: 2, maxMs: 15000 };

/** The delay after `previous` (null: first poll). */
export function nextDelay(previous: number | null, backoff: Backoff = DEFAULT_BACKOFF): number {
  if (previous === null) return backoff.initialMs;
  return Math.min(backoff.maxMs, Math.round(previous * backoff.factor));
}

export interface TickResult {
  /** Whether anything is still pending or processing (keep polling). */
  active: boolean;
  /** Whether this poll saw a change (the delay starts over). */
  changed: boolean;
}

export interface Poller {
  /** Starts polling unless it already runs. */
  start(): void;
  /** Something new happened (e.g. a job was submitted): poll soon again. */
  kick(): void;
  /** Stops for good. */
  stop(): void;
  /** For tests and debugging: the delay of the poll now scheduled, or null. */
  scheduledDelay(): number | null;
}

/**
 * Polls with exponential backoff while `tick` reports active work. A failed tick
 * counts as "no change", so a flaky network slows polling down instead of stopping it.
 */
export function createPoller(
  tick: () => Promise<TickResult>,
  backoff: Backoff = DEFAULT_BACKOFF,
): Poller {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let delay: number | null = null;
  let running = false;
  let inFlight = false;
  let kickedDuringFlight = false;
  let stopped = false;

  function schedule() {
    delay = nextDelay(delay, backoff);
    timer = setTimeout(run, delay);
  }

  async function run() {
    timer = undefined;
    inFlight = true;
    kickedDuringFlight = false;
    let result: TickResult;
    try {
      result = await tick();
    } catch {
      result = { active: true, changed: false };
    }
    inFlight = false;
    if (stopped) return;
    if (kickedDuringFlight) result = { active: true, changed: true };
    if (!result.active) {
      running = false;
      delay = null;
      return;
    }
    if (result.changed) delay = null;
    schedule();
  }

  return {
    start() {
      if (stopped || running) return;
      running = true;
      delay = null;
      schedule();
    },
    kick() {
      if (stopped) return;
      running = true;
      if (inFlight) {
        kickedDuringFlight = true;
        return;
      }
      if (timer !== undefined) clearTimeout(timer);
      delay = null;
      schedule();
    },
    stop() {
      stopped = true;
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
    scheduledDelay() {
      return timer === undefined ? null : delay;
    },
  };
}
