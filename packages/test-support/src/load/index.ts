// Load generation that checks every answer: for zero-failure reload tests and benchmarks.
export { runLoad, type LoadFailure, type LoadOptions, type LoadResult, type LoadTarget } from "./run-load.js";
export { recordLoad, type LoadRecord, type RecordLoadOptions } from "./record-load.js";
export { NO_ROUTE_ANSWER, RoutingTimeline, type Violation } from "./routing-timeline.js";
