// The automatic changes, in a cycle: scale shop up, give it an alias, scale it down, take the alias away.
// Each says what it did, how to see it, and when HAProxy runs it (a check on the generated files).
import type { GeneratedFiles } from "@rancher-haproxy/test-support";
import { demoHost, type DemoState } from "./demo-world.js";

// One change of the scenario.
export interface DemoStep {
  /** what happened, in a sentence */
  title: string;
  next(state: DemoState): DemoState;
  /** true once the generated files hold the change */
  inFiles(files: GeneratedFiles): boolean;
  /** the host to curl to see it, and what to look for */
  host: string;
  look: string;
}

const serverCount = (files: GeneratedFiles, stack: string) =>
  (files.backends.split(`backend ${stack}\n`)[1] ?? "").split("\n\n")[0]!.split("    server ").length - 1;

// The cycle of changes.
export const DEMO_STEPS: readonly DemoStep[] = [
  {
    title: "scaled stack shop from 1 to 3 containers",
    next: (state) => ({ ...state, shopScale: 3 }),
    inFiles: (files) => serverCount(files, "shop") === 3,
    host: demoHost("shop"),
    look: "run it a few times: shop-web-1, -2 and -3 take turns",
  },
  {
    title: "added the alias store → shop in the proxy service's metadata",
    next: (state) => ({ ...state, storeAlias: true }),
    inFiles: (files) => files.map.includes(`${demoHost("store")} shop`),
    host: demoHost("store"),
    look: "answered by shop's containers",
  },
  {
    title: "scaled stack shop from 3 back to 1 container",
    next: (state) => ({ ...state, shopScale: 1 }),
    inFiles: (files) => serverCount(files, "shop") === 1,
    host: demoHost("shop"),
    look: "only shop-web-1 answers now",
  },
  {
    title: "removed the alias store",
    next: (state) => ({ ...state, storeAlias: false }),
    inFiles: (files) => !files.map.includes(demoHost("store")),
    host: demoHost("store"),
    look: "503 no route for this host",
  },
];
