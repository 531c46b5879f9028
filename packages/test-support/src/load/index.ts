// Load generation that checks every answer: for zero-failure reload tests and benchmarks.
export { runLoad, type LoadFailure, type LoadOptions, type LoadResult, type LoadTarget } from "./run-load.js";
