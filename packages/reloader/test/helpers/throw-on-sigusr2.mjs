// Test fixture, preloaded with NODE_OPTIONS=--import: SIGUSR2 makes the process throw an uncaught error,
// standing in for a bug in the reloader (the reloader itself has no hook for this).
import process from "node:process";
import { setImmediate } from "node:timers";

process.on("SIGUSR2", () => {
  setImmediate(() => {
    throw new Error("injected by throw-on-sigusr2.mjs");
  });
});
