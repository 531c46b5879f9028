// Which built entry a program's bin loads: its bundle (scripts/bundle.mjs, made by `npm run build`) when
// that is at least as new as the last `tsc -b` of the program and of core and as the repository's
// package-lock.json, else dist/cli.js. A build by `tsc -b` alone (a developer's quick rebuild) leaves the
// bundle older than the code it was made from, and a lock file changed since (a pull, an `npm install`)
// may have changed a dependency the bundle holds a copy of: the bin then runs the fresh dist/, which
// imports the installed dependencies, rather than old code. A few stat calls, before anything else is
// loaded. The image has no package-lock.json beside its packages: its bundle is never judged by one.
// Not seen: node_modules changed by hand, the lock file left as it was.
import { statSync } from "node:fs";

// The entry under `packageUrl` (the program's package directory, ending in "/") to import.
export function chooseEntry(packageUrl: URL): URL {
  const bundle = new URL("dist/bundle/cli.js", packageUrl);
  const bundledAt = mtimeOf(bundle);
  const builtAt = Math.max(
    mtimeOf(new URL("dist/.tsbuildinfo", packageUrl)),
    mtimeOf(new URL("../core/dist/.tsbuildinfo", packageUrl)),
    mtimeOf(new URL("../../package-lock.json", packageUrl)),
  );
  return bundledAt > 0 && bundledAt >= builtAt ? bundle : new URL("dist/cli.js", packageUrl);
}

// A file's modification time in ms, 0 when it cannot be read.
function mtimeOf(url: URL): number {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return 0;
  }
}
