// Helpers to run the reloader (and so HAProxy) for real in tests: ports, waits, the CLI as a child.
export { freePort, freePorts } from "./free-port.js";
export { findHaproxyMasters, haproxyMasters, type MastersSeen } from "./haproxy-masters.js";
export { waitFor, type WaitOptions } from "./wait-for.js";
export {
  spawnReloader,
  type LogLine,
  type ProcessExit,
  type ReloaderProcess,
  type SpawnReloaderOptions,
  type WaitEventOptions,
} from "./spawn-reloader.js";
export { renderTestBackends, renderTestMap, type TestBackend } from "./render-test-files.js";
export { readReloadCounter, type ReloadCounter } from "./read-reload-counter.js";
export {
  parseServersState,
  readRuntimeState,
  readyAddresses,
  type RuntimeServer,
  type RuntimeState,
} from "./read-runtime-state.js";
export {
  compareWithFiles,
  compareWithSnapshot,
  mapLines,
  parseBackendServers,
  type FileServer,
} from "./compare-runtime-state.js";
