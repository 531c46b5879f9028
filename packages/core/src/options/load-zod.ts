// zod, loaded at the first value parsed: --help and an unknown flag never load it (≈ 0.1 s of CPU). A
// start parses its values, so it loads zod as before. Its CommonJS build, which a synchronous parse can
// load when it first needs it (measured: as costly to load as the ES module build). Every zod schema of
// the programs is built with this one: an `import ... from "zod"` beside it would load a second zod.
import { createRequire } from "node:module";
import type { z } from "zod";

// zod's namespace, as `import { z } from "zod"` gives it.
export type Zod = typeof z;

let loaded: Zod | null = null;

// zod, loaded once.
export function loadZod(): Zod {
  return (loaded ??= (createRequire(import.meta.url)("zod") as { z: Zod }).z);
}
