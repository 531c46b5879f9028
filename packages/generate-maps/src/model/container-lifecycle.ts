// Which Rancher 1.x container states and health states mean "serving" (routed) and which do not. The
// table, its sources and the reasoning are in the package README ("Container states").

// Container `state` values Rancher 1.x uses, and whether a container in it is routed.
export const CONTAINER_STATES: Readonly<Record<string, boolean>> = {
  running: true,
  // Rancher updates the container's record (labels, metadata) while the process keeps running.
  "updating-running": true,
  requested: false,
  creating: false,
  starting: false,
  restarting: false,
  stopping: false,
  stopped: false,
  "updating-stopped": false,
  migrating: false,
  removing: false,
  removed: false,
  purging: false,
  purged: false,
  erroring: false,
  error: false,
};

// `health_state` values, and whether they allow routing; null, missing or "" means no health check.
export const HEALTH_STATES: Readonly<Record<string, boolean>> = {
  healthy: true,
  // A health-check (or service) upgrade is under way; the container last passed its checks.
  "updating-healthy": true,
  initializing: false,
  reinitializing: false,
  unhealthy: false,
  "updating-unhealthy": false,
};

// True when `state` is one Rancher means as running (unknown values are not).
export function isServingState(state: unknown): boolean {
  return (
    typeof state === "string" && Object.hasOwn(CONTAINER_STATES, state) && CONTAINER_STATES[state] === true
  );
}

// True when the health state allows routing: no health check, or one that passes.
export function isServingHealth(health: unknown): boolean {
  if (health === undefined || health === null || health === "") return true;
  return typeof health === "string" && Object.hasOwn(HEALTH_STATES, health) && HEALTH_STATES[health] === true;
}
