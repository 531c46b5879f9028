// What the version watcher (watch-version.ts: createVersionWatcher) offers the loop: waits that end with
// a reason to refetch, what the last one saw, and the reach of metadata it tells /healthz of.

// Why a wait ended: the version moved, the interval passed (refetch anyway), or the loop is stopping.
export type WakeReason = "changed" | "interval" | "aborted";

// Waits for the next reason to refetch; keeps whether the long poll currently works, to log changes once.
export interface VersionWatcher {
  waitForChange(lastVersion: string, signal: AbortSignal): Promise<WakeReason>;
  /** the version the long poll answered when the last wait ended "changed"; null after any other end,
   * so the cycle it wakes need not ask /version again (see readMetadata) */
  readonly seenVersion: string | null;
  /** when the last wait ended "interval" with a long poll open at the deadline (or right after the server
   * ended one unchanged at its maxWait, held until the deadline): the version /version answered then, while
   * the poll still waited (null: it could not be read, the server does not answer); null after any other
   * end. The poll goes on into the next wait unless that version moved (then it is cut). */
  readonly cut: { version: string | null } | null;
  /** ends the long poll a wait left open (the loop's end: no wait follows to take it on) */
  close(): void;
}

/** Told of each long poll or plain /version read of a wait that failed (its error) or was answered (null). */
export type MetadataReach = (error: string | null) => void;
