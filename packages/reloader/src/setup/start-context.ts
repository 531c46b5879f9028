// The input of startSupervised: what startReloader prepared before it (main.ts).
import type { Logger } from "@rancher-haproxy/core";
import type { FoundMaster } from "../adopt/find-running-master.js";
import type { CertificateManager } from "../certs/certificate-manager.js";
import type { ReadSections } from "../model/clashing-sections.js";
import type { StdoutFifo } from "../haproxy/stdout-fifo.js";
import type { HaproxySelf } from "../model/haproxy-build.js";
import type { ReloaderOptions } from "../options/reloader-options.js";
import type { StateLayout } from "../output/snapshot-layout.js";

// What the supervised part of the start works with.
export interface StartContext {
  options: ReloaderOptions;
  logger: Logger;
  layout: StateLayout;
  unlock: () => void;
  /** aborted by a stop; undefined once a running master was found (it is adopted whatever comes) */
  stop: AbortSignal | undefined;
  /** the stop whatever was found: one that came before a running master's adoption skips its reload */
  stopAsked: AbortSignal | undefined;
  found: FoundMaster;
  certificates: CertificateManager | null;
  /** the --config's sections as prepareBaseConfig read them (null: a rendered base config) */
  baseSections: ReadSections | null;
  stdoutFifo: StdoutFifo | null;
  /** what HAProxy knows of itself while it parses (setup/read-haproxy-self.ts) */
  self: HaproxySelf;
}
