import { describe, expect, it } from "vitest";
import { ACTIVITY_EVENTS, throttle } from "./activity";

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe("throttle", () => {
  it("sends the first input at once", () => {
    const c = clock();
    let sent = 0;
    const report = throttle(() => sent++, 2_000, c.now);
    report();
    expect(sent).toBe(1);
  });

  it("sends the first input at once even when the clock starts at 0", () => {
    let sent = 0;
    const report = throttle(() => sent++, 2_000, () => 0);
    report();
    expect(sent).toBe(1);
  });

  it("drops the inputs that follow within the period", () => {
    const c = clock();
    let sent = 0;
    const report = throttle(() => sent++, 2_000, c.now);
    report();
    for (let i = 0; i < 19; i++) {
      c.advance(100);
      report();
    }
    // 1 900 ms after the first: still one report.
    expect(sent).toBe(1);
    c.advance(99);
    report();
    expect(sent).toBe(1);
  });

  it("sends again once the period has passed, measured from the last report sent", () => {
    const c = clock();
    const at: number[] = [];
    const report = throttle(() => at.push(c.now()), 2_000, c.now);
    // Continuous input every 500 ms for 6 s: one report per 2 s.
    for (let i = 0; i <= 12; i++) {
      report();
      c.advance(500);
    }
    expect(at).toEqual([1_000_000, 1_002_000, 1_004_000, 1_006_000]);
  });

  it("sends exactly at the end of the period", () => {
    const c = clock();
    let sent = 0;
    const report = throttle(() => sent++, 2_000, c.now);
    report();
    c.advance(2_000);
    report();
    expect(sent).toBe(2);
  });

  it("sends the first input after a quiet period at once", () => {
    const c = clock();
    let sent = 0;
    const report = throttle(() => sent++, 2_000, c.now);
    report();
    c.advance(60_000);
    report();
    expect(sent).toBe(2);
    c.advance(10);
    report();
    expect(sent).toBe(2);
  });

  it("sends an input dropped inside the period when the period ends (R-16)", () => {
    const c = clock();
    const at: number[] = [];
    const timers: { f: () => void; due: number }[] = [];
    const report = throttle(() => at.push(c.now()), 2_000, c.now, (f, ms) =>
      timers.push({ f, due: c.now() + ms }),
    );
    report();
    c.advance(1_900);
    report(); // the last input before the user walks away
    report();
    expect(at).toEqual([1_000_000]);
    expect(timers.map((t) => t.due)).toEqual([1_002_000]);
    c.advance(100);
    timers.shift()?.f();
    expect(at).toEqual([1_000_000, 1_002_000]);
    // Quiet afterwards: nothing more is scheduled.
    c.advance(5_000);
    report();
    expect(at).toEqual([1_000_000, 1_002_000, 1_007_000]);
    expect(timers).toEqual([]);
  });

  it("keeps separate throttles independent", () => {
    const c = clock();
    let a = 0;
    let b = 0;
    const ra = throttle(() => a++, 2_000, c.now);
    const rb = throttle(() => b++, 2_000, c.now);
    ra();
    rb();
    ra();
    rb();
    expect([a, b]).toEqual([1, 1]);
  });

  it("uses Date.now by default", () => {
    let sent = 0;
    const report = throttle(() => sent++, 60_000);
    report();
    report();
    expect(sent).toBe(1);
  });
});

describe("ACTIVITY_EVENTS", () => {
  it("covers keyboard, mouse, wheel and touch input", () => {
    expect([...ACTIVITY_EVENTS].sort()).toEqual(
      ["keydown", "pointerdown", "pointermove", "touchstart", "wheel"],
    );
  });

  it("names events the window dispatches", () => {
    let seen = 0;
    const count = () => seen++;
    for (const e of ACTIVITY_EVENTS) window.addEventListener(e, count);
    for (const e of ACTIVITY_EVENTS) window.dispatchEvent(new Event(e));
    for (const e of ACTIVITY_EVENTS) window.removeEventListener(e, count);
    expect(seen).toBe(ACTIVITY_EVENTS.length);
  });
});
