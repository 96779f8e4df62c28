// User input feeds the Rust watchdog. Reports are throttled: one per `everyMs` at
// most; the first input after a quiet period is sent at once, and an input dropped inside
// the period is sent when the period ends, so the deadline always counts from the last
// input (never up to `everyMs` early).
export function throttle(
  send: () => void,
  everyMs: number,
  now: () => number = Date.now,
  later: (f: () => void, ms: number) => void = (f, ms) => void setTimeout(f, ms),
) {
  let last = -Infinity;
  let pending = false;
  return () => {
    const t = now();
    if (t - last >= everyMs) {
      last = t;
      send();
      return;
    }
    if (!pending) {
      pending = true;
      later(() => {
        pending = false;
        last = now();
        send();
      }, last + everyMs - t);
    }
  };
}

export const ACTIVITY_EVENTS = ["keydown", "pointerdown", "pointermove", "wheel", "touchstart"] as const;
