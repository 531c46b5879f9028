// The snapshots of the state dir as one object: numbering, our own contract check + staging +
// `haproxy -c`, the `current` link and pruning. A failed check is logged with the offending lines.
import { readFile } from "node:fs/promises";
import type { Logger } from "@rancher-haproxy/core";
import { checkConfig, type CheckResult } from "../haproxy/check-config.js";
import { findOffendingLines, maskSecrets } from "../haproxy/find-offending-lines.js";
import { validateInputs } from "../model/validate-inputs.js";
import { configFiles, type StateLayout } from "../output/snapshot-layout.js";
import { pointCurrent, removeSnapshot, stageSnapshot } from "../output/stage-snapshot.js";
import type { InputFiles } from "../sources/read-inputs.js";
import { listGenerations, readCurrentGeneration } from "../sources/read-state-dir.js";
import { StartupError } from "../startup-error.js";

// A staged snapshot that passed, or why the inputs failed (a failed snapshot no longer exists on disk;
// generation null: rejected by the contract check before anything was staged).
export type Checked =
  | { ok: true; generation: number; check: CheckResult }
  | { ok: false; generation: number | null; reason: string; unsettled?: boolean };

// Snapshots in <state>/gen-<n>/ and the <state>/current link.
export class SnapshotStore {
  private nextGeneration = 1;

  constructor(
    private readonly bin: string,
    readonly layout: StateLayout,
    private readonly logger: Logger,
    private readonly keep = 3,
  ) {}

  // Continue numbering after the snapshots an earlier run left; returns what `current` points at.
  async open(): Promise<{ generations: number[]; current: number | null }> {
    const generations = await listGenerations(this.layout);
    this.nextGeneration = (generations.at(-1) ?? 0) + 1;
    return { generations, current: await readCurrentGeneration(this.layout) };
  }

  // Check the contract, write the bytes as a new generation and run haproxy -c on exactly those files.
  async stageAndCheck(files: InputFiles): Promise<Checked> {
    const problems = validateInputs(files);
    if (problems.length > 0 && problems.every((problem) => problem.kind === "unsettled")) {
      const reason = `not settled yet: ${describe(problems[0])} (the generator is between its writes?)`;
      return { ok: false, generation: null, reason, unsettled: true };
    }
    if (problems.length > 0) {
      this.logger.error(
        { event: "inputs.rejected", problems },
        `the input files break the generated-file contract: keeping the running config (${describe(problems[0])})`,
      );
      return { ok: false, generation: null, reason: `inputs rejected: ${describe(problems[0])}` };
    }
    const generation = this.nextGeneration++;
    const dir = await stageSnapshot(this.layout, generation, files);
    const paths = configFiles(dir);
    const check = await checkConfig(this.bin, paths);
    if (check.spawnError !== null)
      throw new StartupError(
        `cannot run ${this.bin} -c (--haproxy-bin / HAPROXY_BIN): ${check.spawnError}`,
        2,
      );
    if (check.ok) {
      this.logger.info(
        { event: "check.passed", generation, durationMs: check.durationMs },
        `gen-${generation} passes haproxy -c`,
      );
      return { ok: true, generation, check };
    }
    const contents = new Map<string, string>();
    for (const path of paths) contents.set(path, await readFile(path, "utf8").catch(() => ""));
    this.logger.error(
      {
        event: "check.failed",
        generation,
        durationMs: check.durationMs,
        exitCode: check.exitCode,
        output: maskSecrets(check.output),
        offendingLines: findOffendingLines(check.output, contents),
      },
      `gen-${generation} fails haproxy -c: keeping the running config until the files change again`,
    );
    await removeSnapshot(this.layout, generation);
    return { ok: false, generation, reason: `gen-${generation} failed haproxy -c` };
  }

  // haproxy -c on what `current` points at (the last good snapshot of an earlier run).
  checkCurrent(): Promise<CheckResult> {
    return checkConfig(this.bin, configFiles(this.layout.current));
  }

  // Point `current` at a generation (atomically).
  async makeCurrent(generation: number): Promise<void> {
    await pointCurrent(this.layout, generation);
  }

  // The generation `current` points at.
  current(): Promise<number | null> {
    return readCurrentGeneration(this.layout);
  }

  // Keep `current` and the newest few snapshots; remove the rest.
  async prune(): Promise<void> {
    const current = await readCurrentGeneration(this.layout);
    const generations = await listGenerations(this.layout);
    const newest = new Set(generations.slice(-this.keep));
    for (const generation of generations)
      if (generation !== current && !newest.has(generation)) await removeSnapshot(this.layout, generation);
  }
}

function describe(problem: { file: string; line: number | null; reason: string } | undefined): string {
  if (!problem) return "";
  return `${problem.file}${problem.line === null ? "" : `:${problem.line}`} ${problem.reason}`;
}
