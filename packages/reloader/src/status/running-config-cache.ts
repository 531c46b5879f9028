// /config's answers, shared and kept: concurrent requests wait for one read of the snapshot, and the
// answers are reused while the same generation runs. A gen-<n>/ never changes once staged (stageSnapshot
// writes it once; one reloader numbers its snapshots upwards and never stages a number twice), and the
// answer depends only on that generation and on whether HAProxy runs it. Whatever the number of clients,
// it holds one generation's config and its renderings (text, JSON, one per `?file=`) at most (8
// concurrent /config of a 14.3 MB snapshot re-read and rendered it 8 times: 3.75 s of the loop and 239
// MB; 64 connections of 8 pipelined `?file=` requests each, one copy per request, 2.75 GB).
import { jsonResponse, textResponse, withBytes, type StatusResponse } from "@rancher-haproxy/core";
import type { StateLayout } from "../output/snapshot-layout.js";
import { readCurrentGeneration } from "../sources/read-state-dir.js";
import {
  readSnapshotConfig,
  renderRunningConfig,
  type RunningConfig,
  type RunningFile,
} from "./read-running-config.js";

// Reads one snapshot's config (readSnapshotConfig; tests count the calls).
export type ReadSnapshotConfig = (
  layout: StateLayout,
  generation: number,
  running: boolean,
) => Promise<RunningConfig | null>;

// One generation's config; its text and JSON answers are rendered at their first request and kept.
export class RunningConfigAnswers {
  private textAnswer: StatusResponse | null = null;
  private jsonAnswer: StatusResponse | null = null;
  private readonly fileAnswers = new Map<RunningFile, StatusResponse>();

  constructor(
    readonly config: RunningConfig,
    private readonly haproxyRuns = false,
  ) {}

  // The text answer (renderRunningConfig); a copy of the kept one, its body shared.
  text(): StatusResponse {
    this.textAnswer ??= withBytes(textResponse(renderRunningConfig(this.config, this.haproxyRuns)));
    return { ...this.textAnswer };
  }

  // The `?format=json` answer; a copy of the kept one, its body shared.
  json(): StatusResponse {
    this.jsonAnswer ??= withBytes(jsonResponse(this.config));
    return { ...this.jsonAnswer };
  }

  // The `?file=<name>` answer, one file's text; a copy of the kept one, its body shared (each request
  // encoding its own copy let 64 connections with 8 pipelined requests hold 512 copies of the file).
  file(name: RunningFile): StatusResponse {
    let answer = this.fileAnswers.get(name);
    if (answer === undefined) {
      answer = withBytes(textResponse(this.config.files[name]));
      this.fileAnswers.set(name, answer);
    }
    return { ...answer };
  }
}

// What the cache reads: the state dir, and the snapshot reader (default readSnapshotConfig).
export interface RunningConfigCacheInput {
  layout: StateLayout;
  read?: ReadSnapshotConfig;
}

// The answers for `running` (the confirmed generation), or for the one `current` points at when nothing
// is confirmed running (`haproxyRuns`: HAProxy serves all the same, an adopted master); null when there
// is no snapshot (or it was pruned between the link and the read).
export type RunningConfigCache = (
  running: number | null,
  haproxyRuns?: boolean,
) => Promise<RunningConfigAnswers | null>;

// Creates the cache where the status routes are created: one entry, replaced when the generation changes.
export function createRunningConfigCache(input: RunningConfigCacheInput): RunningConfigCache {
  const read = input.read ?? readSnapshotConfig;
  let kept: { key: string; answers: Promise<RunningConfigAnswers | null> } | null = null;
  return async (running, haproxyRuns = false) => {
    const generation = running ?? (await readCurrentGeneration(input.layout));
    if (generation === null) return null;
    const state = running !== null ? "running" : haproxyRuns ? "unconfirmed" : "current";
    const key = `${state} ${generation}`;
    if (kept?.key === key) return kept.answers;
    const entry = {
      key,
      answers: read(input.layout, generation, running !== null).then(
        (config) => config && new RunningConfigAnswers(config, running === null && haproxyRuns),
      ),
    };
    kept = entry;
    // Nothing read (a pruned snapshot) or a failed read is not kept: the next request reads again.
    const forget = () => {
      if (kept === entry) kept = null;
    };
    void entry.answers.then((answers) => {
      if (answers === null) forget();
    }, forget);
    return entry.answers;
  };
}
