// User input feeds the Rust watchdog. Reports are throttled: one per `everyMs` at
// most, but the first input after a quiet period is always sent at once.
export function throttle(send: () => void, everyMs: number, now: () => number = Date.now) {
  let last = -Infinity;
  return () => {
    const t = now();
    if (t - last >= everyMs) {
      last = t;
      send();
    }
  };
}

export const ACTIVITY_EVENTS = ["keydown", "pointerdown", "pointermove", "wheel", "touchstart"] as const;
