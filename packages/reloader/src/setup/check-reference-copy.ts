// HAPROXY_CONFIG receives the masked reference copy: never in the private state dir (it would replace
// the base config HAProxy loads, or add a 0644 file there) nor on a generated input file it would replace.
import { resolve } from "node:path";
import { StartupError } from "../startup-error.js";
import { isWithin, realPathOf } from "./prepare-state-dir.js";

// Throws (exit 2) when `copyPath` is in `stateDir` or is one of `inputs`, as written or through symlinks.
export async function checkReferenceCopy(
  copyPath: string,
  stateDir: string,
  inputs: readonly string[],
): Promise<void> {
  const [realCopy, realState] = await Promise.all([realPathOf(copyPath), realPathOf(stateDir)]);
  const realInputs = await Promise.all(inputs.map((file) => realPathOf(file)));
  const refuse = (why: string) =>
    new StartupError(
      `--haproxy-config / HAPROXY_CONFIG=${copyPath} ${why}: the masked copy would replace it`,
    );
  if (isWithin(resolve(stateDir), resolve(copyPath)) || isWithin(realState, realCopy))
    throw refuse(`is inside the state dir ${stateDir}, which holds the base config HAProxy loads`);
  const input = inputs.find(
    (file, index) => resolve(file) === resolve(copyPath) || realInputs[index] === realCopy,
  );
  if (input !== undefined) throw refuse(`is the generated input ${input}`);
}
