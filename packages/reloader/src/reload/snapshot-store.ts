// The snapshots of the state dir as one object: numbering, our own contract check + staging +
// `haproxy -c`, the `current` link and pruning. A failed check is logged with the offending lines.
import { access } from "node:fs/promises";
import { join } from "node:path";
import { SharedFilesParser, type Logger, type SharedTable } from "@rancher-haproxy/core";
import { checkConfig, type CheckResult } from "../haproxy/check-config.js";
import { maskSecrets } from "../haproxy/find-offending-lines.js";
import { assignSlots } from "../model/assign-slots.js";
import { boundSlotAssignment } from "../model/bound-slot-assignment.js";
import { MAX_TOTAL_SLOTS } from "../model/slot-bound.js";
import type { SlotMap } from "../model/server-slots.js";
import { MapsRenderer } from "../render/maps-renderer.js";
import { SlotsJsonRenderer } from "../render/slots-json-renderer.js";
import { SlottedBackendsRenderer } from "../render/slotted-backends-renderer.js";
import { configFiles, generationName, SNAPSHOT_BASE, type StateLayout } from "../output/snapshot-layout.js";
import { pointCurrent, removeSnapshot, stageSnapshot } from "../output/stage-snapshot.js";
import type { InputFiles } from "../sources/read-inputs.js";
import { readSlots } from "../sources/read-slots.js";
import { listGenerations, readCurrentGeneration } from "../sources/read-state-dir.js";
import { checkSnapshot } from "./check-snapshot.js";
import { pruneSnapshots } from "./prune-snapshots.js";
import { describeProblem, validateContract, type Validated } from "./validate-contract.js";
import { BackendClashes, type RefusedBackendsSink } from "./backend-clashes.js";
import type { HaproxyEnvironment } from "../model/config-read-words.js";
import type { ReadSections } from "../model/clashing-sections.js";
import type { HaproxySelf } from "../model/haproxy-build.js";
import { hardStopAfterOf } from "../model/hard-stop-after.js";
import type { HostNameRead } from "../sources/read-host-name.js";
import { FollowedSelf } from "./followed-self.js";

// How many staged snapshots' host names are kept (SnapshotStore.stagedNames), beside the one `current`
// points at: `current` is pointed back only at the one the workers ran before a switch.
const STAGED_NAMES_KEPT = 32;

// What HAProxy is known to be when only its host name is followed: no build read.
const NO_BUILD: HaproxySelf = { build: null, hostname: null };

// A staged snapshot that passed, or why the inputs failed (a failed snapshot no longer exists on disk;
// generation null: rejected by the contract check before anything was staged). `slots`: the assignment
// the failed snapshot was staged with (after any reassignment), for a second check of the same bytes.
export type Checked =
  | { ok: true; generation: number; check: CheckResult; table: SharedTable; slots: SlotMap }
  | { ok: false; generation: number | null; reason: string; unsettled?: boolean; slots?: SlotMap };

// Snapshots in <state>/gen-<n>/ and the <state>/current link.
export class SnapshotStore {
  private nextGeneration = 1;
  /** the slot assignment last staged (or found in `current` at open): the start of the next one */
  private lastSlots: SlotMap | null = null;
  /** the last snapshot staged and the assignment before it (put back when its check fails) */
  private staged: { generation: number; before: SlotMap | null } | null = null;
  /** the host name each snapshot staged by this run (and not refused) was validated with, the newest
   * STAGED_NAMES_KEPT and the one `current` points at: `current` may point back at one (a reload HAProxy
   * refused, late or not) */
  private readonly stagedNames = new Map<number, string | null>();
  /** the host name read at start: what an earlier run's snapshot was checked with when the start took it */
  private readonly startHostName: string | null;
  /** the generation `current` points at (the status's), when known (`more.currentGeneration`) */
  private readonly currentGeneration: (() => number | null) | undefined;
  /** the contract parse, re-reading only what changed since the last accepted inputs */
  private readonly parser = new SharedFilesParser();
  /** backends.cfg and slots.json, re-rendering only the backends whose block or slots changed */
  private readonly backendsRenderer = new SlottedBackendsRenderer();
  private readonly slotsRenderer = new SlotsJsonRenderer();
  private readonly mapsRenderer = new MapsRenderer();
  /** leaves out the backends a section of the base config names, and reports them */
  private readonly clashes: BackendClashes;
  /** hears of each validation of the inputs (`more.onValidated`) */
  private readonly onValidated: ((files: InputFiles, validated: Validated) => void) | undefined;

  /** how many snapshots are kept */
  private readonly keep: number;
  /** the variables HAProxy inherits, with their values (a section's name, or a section or a hard-stop-after
   * under a `.if`, read as HAProxy reads them: model/config-read-words.ts) */
  private readonly environment: HaproxyEnvironment | undefined;
  /** what HAProxy knows of itself (its build: `.if feature(...)`, `version_*(...)`; its host name:
   * HAPROXY_LOCALPEER), as of the last validation */
  private self: HaproxySelf | undefined;
  /** reads the host name again before each validation (null: the start's is kept) */
  private readonly followed: FollowedSelf | null;
  /** the base config hardStopAfter last read, the host name it was read with, and the bound it sets */
  private hardStop: { bytes: Buffer; hostname: string | null; value: string | null } | null = null;

  // `more.keep`: snapshots kept (3); `more.onRefused`: where the backends left out for a base config's
  // section of their name are shown; `more.environment`, `more.self`: as the fields (`self` as at start);
  // `more.sections`: the sections of the base config already read with those (the --config's, at start:
  // not read again while the host name stays); `more.hostName`: reads the host name HAProxy takes at each
  // parse, asked before each validation (with a --config: HAPROXY_LOCALPEER may name one of its sections);
  // `more.currentGeneration`: the generation `current` points at (ReloaderStatus), for currentHostNameMoved;
  // `more.onValidated`: hears of each validation of the inputs and its table (the stale-map report).
  constructor(
    private readonly bin: string,
    readonly layout: StateLayout,
    private readonly logger: Logger,
    private readonly slotsPerBlock = 10,
    more: {
      keep?: number;
      onRefused?: RefusedBackendsSink;
      environment?: HaproxyEnvironment;
      sections?: ReadSections | null;
      self?: HaproxySelf;
      hostName?: () => HostNameRead;
      currentGeneration?: () => number | null;
      onValidated?: (files: InputFiles, validated: Validated) => void;
    } = {},
  ) {
    this.keep = more.keep ?? 3;
    this.onValidated = more.onValidated;
    this.currentGeneration = more.currentGeneration;
    this.environment = more.environment;
    this.self = more.self;
    this.startHostName = more.self?.hostname ?? null;
    this.followed =
      more.hostName === undefined ? null : new FollowedSelf(more.self ?? NO_BUILD, more.hostName, logger);
    this.clashes = new BackendClashes(
      logger,
      more.onRefused,
      more.environment,
      () => this.self,
      more.sections ?? null,
    );
  }

  // Continue numbering after the snapshots an earlier run left (and their slot assignment); returns
  // what `current` points at.
  async open(): Promise<{ generations: number[]; current: number | null }> {
    const generations = await listGenerations(this.layout);
    this.nextGeneration = (generations.at(-1) ?? 0) + 1;
    const current = await readCurrentGeneration(this.layout);
    if (current !== null) this.lastSlots = await readSlots(join(this.layout.dir, generationName(current)));
    if (current !== null && this.lastSlots === null)
      this.logger.warn(
        { event: "snapshot.slots-unreadable", generation: current },
        `${generationName(current)} has no readable slots.json: every container is given a slot afresh (a sticky client may reach another container)`,
      );
    return { generations, current };
  }

  // The contract check of the inputs and the cap on their slots (logged when they are rejected), the
  // backends a section of the base config names left out (reported by stage or reportClashes, once taken).
  validate(files: InputFiles): Validated {
    this.refreshSelf();
    const validated = validateContract(files, this.parser, this.logger, this.slotsPerBlock, this.clashes);
    this.onValidated?.(files, validated);
    return validated;
  }

  // What HAProxy knows of itself now, its host name read again (with `hostName`) as each validation reads
  // it: the same object while it stays.
  private refreshSelf(): HaproxySelf | undefined {
    if (this.followed !== null) this.self = this.followed.refresh();
    return this.self;
  }

  // Whether the host name HAProxy takes as HAPROXY_LOCALPEER changed since the last validation (false
  // when it is not followed): a held reload's table was validated with the old one, so the held pass
  // validates the inputs again (the reload ending the hold would fail haproxy -c).
  hostNameMoved(): boolean {
    return this.followed?.moved() ?? false;
  }

  // Whether the host name changed since the validation of the snapshot `current` points at (false when it
  // is not followed): `current` was checked with the old one, so the applier's pass validates the inputs
  // again even when they did not change (a reload or restart of `current` may fail meanwhile; a restart or
  // a certificates' reload runs such a pass first: ConfigApplier.refreshCurrent). Not since the last
  // validation: one of other inputs that never ran (refused, held, not settled) took the new name, and
  // until 2026-12-06 the inputs `current` runs, written again, were then never staged again.
  currentHostNameMoved(): boolean {
    return this.followed?.moved(this.currentHostName()) ?? false;
  }

  // The host name `current` was validated with (without `more.currentGeneration`: the last snapshot staged
  // and not refused): its snapshot's, when this run staged it; else the start's (an earlier run's snapshot,
  // checked when the start took it). Until 2026-12-06 always the last staged one's, so
  // after `current` was pointed back (a reload HAProxy refused, late or not, after a rename) the name the
  // snapshot it points at was checked with was taken as the new one: a restart of HAProxy or a
  // certificates' reload loaded it without staging the inputs first, and failed until the next pass did.
  private currentHostName(): string | null {
    const generation = this.currentGeneration?.() ?? [...this.stagedNames.keys()].at(-1) ?? null;
    const name = generation === null ? undefined : this.stagedNames.get(generation);
    return name === undefined ? this.startHostName : name;
  }

  // Report (log when the set changes, /healthz) the backends validate left out of `table` for a section of
  // the base config: stage does once the table is written; planChange, for inputs whose reload is held
  // or waits, with `slots`, the assignment their staging will start from: inputs the staging's slot cap
  // will refuse then (boundedSlots) are not reported, as inputs refused by a cap never are.
  reportClashes(table: SharedTable, slots?: SlotMap): void {
    if (slots !== undefined && "over" in boundSlotAssignment(table.backends, slots, this.slotsPerBlock))
      return;
    this.clashes.report(table);
  }

  // The `hard-stop-after` the base config `base` sets (model/hard-stop-after.ts), read again only when its
  // bytes change: a held reload asks at each pass while old workers stay, and reading a large --config
  // is a whole pass over it on the event loop. The host name is the last one read (a `.if` on
  // "$HAPROXY_LOCALPEER" around the line): the one the change being applied was validated with.
  hardStopAfter(base: Buffer): string | null {
    const hostname = this.self?.hostname ?? null;
    const hardStop = this.hardStop;
    if (hardStop === null || hardStop.hostname !== hostname || !hardStop.bytes.equals(base)) {
      const value = hardStopAfterOf(base, this.environment, this.self);
      this.hardStop = { bytes: Buffer.from(base), hostname, value };
      return value;
    }
    return hardStop.value;
  }

  // Write gen-<n> for `table` with `slots`: backends.cfg, domain.map and path-hosts.map rendered, the
  // inputs verbatim, then report what validate left out of `table` (reportClashes: also when haproxy -c
  // refuses it). One that cannot be written whole (ENOSPC, EROFS) is removed before the error is
  // thrown: a half-written one left by each retry held the space freed since the one before.
  async stage(files: InputFiles, table: SharedTable, slots: SlotMap): Promise<number> {
    const generation = this.nextGeneration++;
    await stageSnapshot(this.layout, generation, {
      base: files.base,
      backends: this.backendsRenderer.render(table, slots),
      ...this.mapsRenderer.render(table),
      slotsJson: this.slotsRenderer.render(slots),
      inputs: { backends: files.backends, map: files.map },
    }).catch(async (error: unknown) => {
      await removeSnapshot(this.layout, generation).catch(() => undefined);
      throw error;
    });
    this.reportClashes(table);
    this.staged = { generation, before: this.lastSlots };
    this.lastSlots = slots;
    this.stagedNames.set(generation, this.self?.hostname ?? null);
    // The oldest forgotten, but never the one `current` points at: every reload HAProxy refuses points it
    // back at the same snapshot, however many were staged since (until 2026-12-06 the 33rd refused in a
    // row forgot its name, and the start's was compared with instead).
    const current = this.currentGeneration?.() ?? null;
    for (const old of this.stagedNames.keys()) {
      if (this.stagedNames.size <= STAGED_NAMES_KEPT) break;
      if (old !== current) this.stagedNames.delete(old);
    }
    return generation;
  }

  // The slot assignment of the last snapshot staged (and not refused): what HAProxy runs, or is about to,
  // when nothing better is known (after a restart, an adoption, an unconfirmed reload).
  lastAssignment(): SlotMap | null {
    return this.lastSlots;
  }

  // A reload's slots for `table`: the last staged assignment kept, free slots rendered afresh.
  reloadSlots(table: SharedTable): SlotMap {
    return assignSlots(this.lastSlots, table.backends, this.slotsPerBlock, "reload").slots;
  }

  // Check the contract, write a new generation (with `slots`, default reloadSlots) and run haproxy -c
  // on exactly those files.
  async stageAndCheck(files: InputFiles, slots?: SlotMap): Promise<Checked> {
    return this.stageIfValid(files, this.validate(files), slots);
  }

  // The base config `base` with empty routing (no backend, no host) checked and staged as stageAndCheck
  // does, the start's last resort: not the inputs, so what their read left out for a section of the base
  // config stays reported (logged once: until 2026-12-05 this cleared it, `inputs.section-clash-cleared`
  // though the files still named it, and the next write still naming it logged the clash again).
  async stageAndCheckEmpty(base: Buffer): Promise<Checked> {
    const none = Buffer.alloc(0);
    const files = { base, backends: none, map: none, hash: "" };
    return this.stageIfValid(
      files,
      validateContract(files, this.parser, this.logger, this.slotsPerBlock, null),
    );
  }

  // Stage and check `files` validated as `validated` (with `slots`, default reloadSlots), or why not.
  private async stageIfValid(files: InputFiles, validated: Validated, slots?: SlotMap): Promise<Checked> {
    if (!validated.ok) return { ...validated, generation: null };
    return this.stageChecked(files, validated.table, slots ?? this.reloadSlots(validated.table));
  }

  // Write a new generation for a validated `table` with `slots` and run haproxy -c on it.
  // A snapshot that fails (or gets no verdict) never runs: the assignment before it stays the last one.
  // An assignment over MAX_TOTAL_SLOTS is made afresh first, or refused (boundedSlots); a failure hands
  // back the assignment it was staged with, so checking it once more does not reassign (and log) again.
  async stageChecked(files: InputFiles, table: SharedTable, slots: SlotMap): Promise<Checked> {
    const bounded = this.boundedSlots(files, table, slots);
    if ("reason" in bounded) return { ok: false, generation: null, reason: bounded.reason };
    const generation = await this.stage(files, table, bounded.slots);
    const check = await this.check(generation);
    return check.ok
      ? { ok: true, generation, check: check.check, table, slots: bounded.slots }
      : { ...check, slots: bounded.slots };
  }

  // `slots`, or, when they are more than MAX_TOTAL_SLOTS, every container's slot given afresh (logged), or
  // why even that is too many (logged as validate logs its refusals): model/bound-slot-assignment.ts.
  private boundedSlots(
    files: InputFiles,
    table: SharedTable,
    slots: SlotMap,
  ): { slots: SlotMap } | { reason: string } {
    const bounded = boundSlotAssignment(table.backends, slots, this.slotsPerBlock);
    if (!("over" in bounded)) {
      if (bounded.reassigned !== null) {
        const { before, after } = bounded.reassigned;
        this.logger.warn(
          { event: "snapshot.slots-reassigned", slots: before, fresh: after, max: MAX_TOTAL_SLOTS },
          `the slot assignment kept from before renders ${before} server slots, more than ${MAX_TOTAL_SLOTS}: every container is given a slot afresh (${after} slots; a sticky client may reach another container)`,
        );
      }
      return { slots: bounded.slots };
    }
    const reason =
      `${table.backends.length} backends are assigned ${bounded.over} server slots at ` +
      `SERVER_SLOTS=${this.slotsPerBlock}, more than ${MAX_TOTAL_SLOTS} (HAProxy allocates every slot, ` +
      "free ones too): lower SERVER_SLOTS or route fewer backends";
    // Named as validate names its refusals: by the path the backends file was read from.
    const problem = { file: "backends" as const, line: null, text: null, reason };
    const described = describeProblem(problem, files.paths);
    this.logger.error(
      { event: "inputs.rejected", problems: [problem] },
      `the input files need too many server slots: keeping the running config (${described})`,
    );
    return { reason: `inputs rejected: ${described}` };
  }

  // haproxy -c on gen-<n>; a failing snapshot is logged with the offending lines and removed. A check
  // that timed out or was killed (the OOM killer) is logged and removed too, then thrown as a
  // CheckStoppedError (no verdict: the caller retries); a binary that cannot be run is a StartupError.
  // The last snapshot staged that fails, or gets no verdict, never runs: the slot assignment from before
  // it is the last one again (for a reload's staging and for a runtime change's fallback alike).
  async check(
    generation: number,
  ): Promise<{ ok: true; check: CheckResult } | { ok: false; generation: number; reason: string }> {
    const check = await checkSnapshot(this.bin, this.layout, this.logger, generation).catch(
      (error: unknown) => {
        this.unstage(generation);
        throw error;
      },
    );
    if (!check.ok) this.unstage(generation);
    return check;
  }

  private unstage(generation: number): void {
    if (this.staged?.generation !== generation) return;
    this.lastSlots = this.staged.before;
    this.stagedNames.delete(generation);
  }

  // haproxy -c on what `current` points at (the last good snapshot of an earlier run).
  checkCurrent(): Promise<CheckResult> {
    return checkConfig(this.bin, configFiles(this.layout.current));
  }

  // After a new snapshot failed haproxy -c: whether the running one (`current`, which passed) fails now
  // too, and why. Then the failure is not the inputs' but the environment's (a SYSLOG_HOST name that does
  // not resolve, a certificate file being rewritten): null when it passes, or there is none to compare.
  async currentFailsToo(): Promise<string | null> {
    if ((await readCurrentGeneration(this.layout)) === null) return null;
    const check = await this.checkCurrent();
    if (check.ok || check.spawnError !== null) return null;
    const reason =
      check.stopped ??
      "the running snapshot, which passed before, fails haproxy -c now too: not the inputs' fault";
    this.logger.warn(
      { event: "check.environment", output: maskSecrets(check.output), reason },
      `${reason}: the change is checked again later`,
    );
    return reason;
  }

  // Point `current` at a generation (atomically).
  async makeCurrent(generation: number): Promise<void> {
    await pointCurrent(this.layout, generation);
  }

  // The generation `current` points at.
  current(): Promise<number | null> {
    return readCurrentGeneration(this.layout);
  }

  // Whether `current` names a snapshot HAProxy can load (its base config is there): false when the link
  // or the snapshot was removed by hand.
  currentOnDisk(): Promise<boolean> {
    return access(join(this.layout.current, SNAPSHOT_BASE)).then(
      () => true,
      () => false,
    );
  }

  // Keep `current`, the newest few snapshots, the `kept` link's and `also` (one a running master's workers
  // may run while `current` names another); remove the rest. Never throws: housekeeping that fails
  // (EBUSY, EACCES) is logged and tried again at the next prune, and never fails the pass that applied a
  // change (a reload confirmed, then a throw, was retried as a failure and staged yet another snapshot).
  async prune(also: number | null = null): Promise<void> {
    await pruneSnapshots(this.layout, this.keep, this.logger, also);
  }
}
