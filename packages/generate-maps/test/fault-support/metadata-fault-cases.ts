// The metadata faults of issue 7, one row each: the stand-in's fault mode, the log line that must name it,
// and whether metadata stays readable (then a change made during the fault still lands). Shared by the
// generator's fault matrix and the end-to-end tests that add HAProxy to the picture.
import type { MetadataFault } from "@rancher-haproxy/test-support";

// One fault and what the generator must say about it.
export interface MetadataFaultCase {
  name: string;
  fault: MetadataFault;
  /** the log line naming what happened: its event, and for read failures the error kind and message */
  evidence: { event: string; kind?: string; error?: RegExp };
  /** true when snapshots can still be read during the fault (churn, hanging long poll) */
  readable: boolean;
}

// The ten faults of the issue, in its order, and one more: an entry of /containers that is not JSON.
export const METADATA_FAULT_CASES: readonly MetadataFaultCase[] = [
  {
    name: "connection refused",
    fault: { kind: "refuse" },
    evidence: { event: "metadata-unavailable", kind: "network", error: /ECONNREFUSED/ },
    readable: false,
  },
  {
    name: "HTTP 500",
    fault: { kind: "status-500" },
    evidence: {
      event: "metadata-unavailable",
      kind: "http-status",
      error: /HTTP 500: Internal Server Error/,
    },
    readable: false,
  },
  {
    name: "404 on /containers",
    fault: { kind: "containers-404" },
    evidence: { event: "metadata-unavailable", kind: "not-found", error: /\/containers: 404/ },
    readable: false,
  },
  {
    name: "slow answers past the 5 s request timeout",
    fault: { kind: "slow", delayMs: 30_000 },
    evidence: {
      event: "metadata-unavailable",
      kind: "timeout",
      error: /no complete answer: none within 5000 ms/,
    },
    readable: false,
  },
  {
    name: "answer cut in the middle",
    fault: { kind: "cut" },
    evidence: { event: "metadata-unavailable", kind: "network", error: /request failed/ },
    readable: false,
  },
  {
    name: "invalid JSON",
    fault: { kind: "invalid-json" },
    evidence: { event: "metadata-unavailable", kind: "invalid-json", error: /answer is not JSON/ },
    readable: false,
  },
  {
    // Read entry by entry (the model parses each when it reads it), so this is found after the read.
    name: "one /containers entry that is not JSON",
    fault: { kind: "invalid-entry" },
    evidence: { event: "metadata-unavailable", kind: "invalid-json", error: /answer is not JSON/ },
    readable: false,
  },
  {
    name: "JSON of the wrong shape",
    fault: { kind: "wrong-shape" },
    evidence: { event: "metadata-unavailable", kind: "wrong-shape", error: /has the wrong shape/ },
    readable: false,
  },
  {
    name: "empty body",
    fault: { kind: "empty-body" },
    evidence: { event: "metadata-unavailable", kind: "invalid-json", error: /empty body/ },
    readable: false,
  },
  {
    name: "a version that changes on every request",
    fault: { kind: "version-churn" },
    evidence: { event: "version-churn" },
    readable: true,
  },
  {
    name: "a long poll that never returns",
    fault: { kind: "longpoll-hang" },
    evidence: { event: "longpoll-missed-change" },
    readable: true,
  },
];
