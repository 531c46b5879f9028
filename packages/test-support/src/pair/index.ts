// The whole pair on loopback (stand-in → generate-maps → reloader → HAProxy) for end-to-end tests, the demo
// and benchmarks, and the pieces: the generate-maps child, "HAProxy runs these files", answer polling.
export { startPair, type Pair, type PairOptions } from "./start-pair.js";
export { assertBuilt } from "./assert-built.js";
export { pairPaths, type PairPaths } from "./pair-paths.js";
export {
  spawnGenerateMaps,
  type GenerateMapsProcess,
  type SpawnGenerateMapsOptions,
} from "./spawn-generate-maps.js";
export { wrapLoggedChild, tailLogs, type LoggedChild, type LoggedChildOptions } from "./logged-child.js";
export {
  readGeneratedFiles,
  waitForApplied,
  type AppliedFiles,
  type ApplyCheck,
  type GeneratedFiles,
} from "./wait-for-applied.js";
export { waitForAnswer, type AnswerProbe, type Answered } from "./wait-for-answer.js";
export { worldTree, type World, type WorldContainer } from "./world-tree.js";
export { descendants, listProcesses, readProcess, stillRuns, type ProcessInfo } from "./process-tree.js";
