// The validated settings of one generate-maps process (built once, by parseOptions, at the edge).
import type { ApiVersion, LogFormat, StatusSettings } from "@rancher-haproxy/core";
import type { LevelWithSilent } from "pino";
import type { ModelOptions } from "../model/routing-table.js";

// Every setting, typed and checked: model settings plus where to read, where to write and how to run.
export interface GeneratorOptions extends ModelOptions {
  apiHost: string;
  apiVersion: ApiVersion;
  domainMapPath: string;
  backendsPath: string;
  /** safety-net refetch period (the long poll's maxWait is 10 s whatever it is), milliseconds */
  intervalMs: number;
  /** one cycle, then exit */
  once: boolean;
  /** one cycle, print the files instead of writing them */
  dryRun: boolean;
  logLevel: LevelWithSilent;
  /** undefined: pretty on a terminal, JSON lines otherwise */
  logFormat: LogFormat | undefined;
  /** the status listener: port (null: off, 0: any free port) and bind address */
  status: StatusSettings;
  /** --explain: a container name or uuid, or a host, to explain once instead of running (null: run) */
  explain: string | null;
  /** --json: print the explanation as JSON */
  json: boolean;
  /** timeout of every ordinary metadata request, milliseconds */
  requestTimeoutMs: number;
  /** the largest metadata answer read, bytes (METADATA_MAX_BYTES); a larger one is a failed read */
  metadataMaxBytes: number;
  /** 0-1: the share of the routed containers (or of the aliases of stacks still routed) one cycle may
   * remove without confirmation */
  maxRemovalShare: number;
  /** how long a larger removal must be seen unchanged before it is written, ms; 0 disables the guard */
  removalConfirmMs: number;
}
