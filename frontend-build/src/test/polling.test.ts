import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_BACKOFF, createPoller, nextDelay, type TickResult } from "../polling";

describe("nextDelay", () => {
  it("starts at the initial delay, doubles, and stops growing at the cap", () => {
    const seq: number[] = [];
    let d: number | null = null;
    for (let i = 0; i < 7; i++) {
      d = nextDelay(d);
      seq.push(d);
    }
    expect(seq).toEqual([1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    expect(DEFAULT_BACKOFF.maxMs).toBe(15000);
  });
});

describe("createPoller", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function scripted(results: TickResult[]) {
    const times: number[] = [];
    const start = Date.now();
    const tick = vi.fn(async () => {
      times.push(Date.now() - start);
      return results.shift() ?? { active: false, changed: false };
    });
    return { tick, times };
  }

  it("backs off while nothing changes", async () => {
    const idle = { active: true, changed: false };
    const { tick, times } = scripted([idle, idle, idle, idle, idle, idle]);
    const poller = createPoller(tick);
    poller.start();
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000 + 8000 + 15000 + 15000);
    expect(times).toEqual([1000, 3000, 7000, 15000, 30000, 45000]);
    poller.stop();
  });

  it("starts over from the initial delay after a change", async () => {
    const { tick, times } = scripted([
      { active: true, changed: false },
      { active: true, changed: false },
      { active: true, changed: true },
      { active: true, changed: false },
    ]);
    const poller = createPoller(tick);
    poller.start();
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000 + 1000);
    expect(times).toEqual([1000, 3000, 7000, 8000]);
    expect(poller.scheduledDelay()).toBe(2000);
    poller.stop();
  });

  it("stops once nothing is pending or processing, and can start again", async () => {
    const { tick, times } = scripted([
      { active: true, changed: true },
      { active: false, changed: true },
    ]);
    const poller = createPoller(tick);
    poller.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(times).toEqual([1000, 2000]);
    expect(poller.scheduledDelay()).toBeNull();
    poller.start();
    expect(poller.scheduledDelay()).toBe(1000);
    poller.stop();
  });

  it("keeps polling (slower) when a poll fails", async () => {
    const tick = vi
      .fn<() => Promise<TickResult>>()
      .mockRejectedValueOnce(new Error("offline"))
      .mockResolvedValue({ active: false, changed: false });
    const poller = createPoller(tick);
    poller.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(tick).toHaveBeenCalledTimes(1);
    expect(poller.scheduledDelay()).toBe(2000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(tick).toHaveBeenCalledTimes(2);
    poller.stop();
  });

  it("kick() polls soon again after a long back-off", async () => {
    const idle = { active: true, changed: false };
    const { tick, times } = scripted([idle, idle, idle, idle]);
    const poller = createPoller(tick);
    poller.start();
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000);
    expect(poller.scheduledDelay()).toBe(8000);
    poller.kick();
    expect(poller.scheduledDelay()).toBe(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(times).toEqual([1000, 3000, 7000, 8000]);
    poller.stop();
  });

  it("does nothing after stop()", async () => {
    const tick = vi.fn(async () => ({ active: true, changed: false }));
    const poller = createPoller(tick);
    poller.start();
    poller.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(tick).not.toHaveBeenCalled();
  });
});
