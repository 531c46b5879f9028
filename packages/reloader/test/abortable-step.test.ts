// A step of the start given a stop that already came (a signal during an earlier step that is not
// abandoned, such as loading the certificate code) throws StartStoppedError before it awaits the step.
// The step runs on; when it then fails (prepareCertificate's StartupError with the metadata service
// down, say), that failure must be nobody's: until 2026-12-05 it was an unhandled rejection, which the
// CLI takes for a crash (`reloader.crash`, exit 1 while the stop was under way) instead of the abandoned
// start's exit 0.
import assert from "node:assert/strict";
import { test } from "node:test";
import { abortableStep, StartStoppedError } from "../src/setup/abortable-step.ts";

test("a step abandoned before it was awaited: its later failure is not an unhandled rejection", async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  t.after(() => void process.off("unhandledRejection", onUnhandled));
  const stop = new AbortController();
  stop.abort();
  let fail: (error: Error) => void = () => undefined;
  const step = new Promise<never>((_resolve, reject) => (fail = reject));

  await assert.rejects(abortableStep(step, stop.signal, "certificate"), StartStoppedError);
  fail(new Error("the metadata service could not be read"));
  // Node reports a rejection left unhandled once the microtasks of its tick have run.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(unhandled, [], "the abandoned step's failure was left unhandled");
});
