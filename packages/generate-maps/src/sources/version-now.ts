// The plain reads of /version the version watcher makes beside its long poll: at the interval's cut, and
// before the retry of a failed long poll.
import { isMetadataVersion, type MetadataClient } from "@rancher-haproxy/core";
import { scopedSignal } from "../loop/scoped-signal.js";
import { METADATA_PATHS } from "./read-metadata.js";

// The version /version answers now; null when it cannot be read or is not a version.
export function versionNow(client: MetadataClient, signal: AbortSignal): Promise<string | null> {
  return plainVersion(client, undefined, signal).catch(() => null);
}

// The plain GET /version after a failed long poll, within `ms` (the wait's deadline; none when undefined):
// the version, or null when the deadline (or `signal`) came first; a failed or wrong answer throws (a
// failure like the poll's).
export async function plainVersion(
  client: MetadataClient,
  ms: number | undefined,
  signal: AbortSignal,
): Promise<string | null> {
  const scope = scopedSignal(signal, ms);
  try {
    const answer = await client.getJson(METADATA_PATHS.version, scope.signal);
    if (!isMetadataVersion(answer)) throw new Error("/version answered no version");
    return answer;
  } catch (error) {
    if (scope.timedOut() || signal.aborted) return null;
    throw error;
  } finally {
    scope.release();
  }
}
