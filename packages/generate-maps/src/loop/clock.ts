// The two clocks generate-maps reads, passed in (tests step one without the other). Every duration,
// deadline and age is measured on `monotonic`: a wall clock stepped back an hour by NTP made the loop sleep
// that hour and kept /healthz ok as long. `wall` only dates what is shown (log fields, JSON answers).

// The clocks: `monotonic` in ms that only move forward (performance.now()), `wall` in ms since the epoch.
export interface Clock {
  monotonic(): number;
  wall(): number;
}

// The process's clocks; each call reads the clock anew (Date.now included, so a stepped one is seen).
export const systemClock: Clock = Object.freeze({
  monotonic: () => performance.now(),
  wall: () => Date.now(),
});

// Both clocks read at one moment: `monotonic` to measure from, `wall` to show that moment.
export interface ClockReading {
  monotonic: number;
  wall: number;
}

// Reads both clocks.
export function readClock(clock: Clock): ClockReading {
  return { monotonic: clock.monotonic(), wall: clock.wall() };
}

// The wall time (ms since the epoch) of `monotonic`, a time of the monotonic clock `reading` was taken
// on, as the wall clock of `reading` dates it: how a deadline or a start kept in monotonic time is shown.
export function wallTimeOf(monotonic: number, reading: ClockReading): number {
  return reading.wall + (monotonic - reading.monotonic);
}
