// The model's long walks are written as steps (generators that yield between pieces of work, no value)
// so the cycle can let the event loop run between them (cycle/cycle-pacer.ts); runSteps takes every step
// at once, for a caller that does not pause (a test, --explain).
export type Steps<T> = Generator<void, T, undefined>;

// The result of `steps`, every step taken at once.
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}
