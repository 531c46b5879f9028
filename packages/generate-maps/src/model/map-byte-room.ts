// The bytes a table's domain.map may take. The reloader refuses an input over 64 MiB (MAX_INPUT_BYTES),
// and a refused map holds every stack's changes back; the key counts alone did not bound it: 100 000
// `hosts` claims of 253-character names under 195-character paths made a 70 MB map from 42 MB of
// labels (found by a review). The stacks' own keys come first; aliases and claims get what is left.
import type { Backend } from "./routing-table.js";

// The most bytes of domain.map lines, with room to spare under the reloader's 64 MiB.
export const MAX_MAP_BYTES = 48 * 1024 * 1024;

// What is left of MAX_MAP_BYTES for alias and `hosts` keys; spent as they are taken.
export interface MapByteRoom {
  bytes: number;
}

// The bytes of one map line, `<key> <backend>\n` (keys and backend names are ASCII).
export function mapLineBytes(key: string, backend: string): number {
  return key.length + backend.length + 2;
}

// The room left once every backend has its stack's own key (`<stack>.<domain><path>`).
export function mapByteRoom(backends: readonly Backend[], domain: string, max = MAX_MAP_BYTES): MapByteRoom {
  let own = 0;
  for (const backend of backends)
    own += mapLineBytes(`${backend.stack}.${domain}${backend.path ?? ""}`, backend.name);
  return { bytes: max - own };
}
