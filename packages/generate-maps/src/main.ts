// generate-maps in two functions: runCycle (cycle/run-cycle.ts: read metadata -> build the routing table
// -> render -> write if changed -> report) and runLoop (loop/run-loop.ts: a cycle, then wait for a version
// change or the interval; back off on failure). cli.ts runs one or the other.
export * from "./cycle/run-cycle.js";
export * from "./loop/run-loop.js";
