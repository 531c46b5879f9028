// `haproxy -c` on exactly the files HAProxy will load, with its output kept for the log (bounded).
import { BoundedOutput } from "./bounded-output.js";
import { runInOwnGroup } from "./run-in-own-group.js";

// The verdict of one check; `spawnError` is set when the binary could not run at all (ENOENT, EACCES),
// `stopped` when it ran but was ended before its verdict: the timeout, or a signal (the OOM killer).
export interface CheckResult {
  ok: boolean;
  exitCode: number | null;
  output: string;
  durationMs: number;
  spawnError: string | null;
  stopped: string | null;
}

// The longest a check runs before it is ended (no verdict): also how long a file a check may have been
// told to load must stay on disk after it left the config (write-certificate-files.ts).
export const CHECK_TIMEOUT_MS = 60_000;

// Run `<bin> -c -W -f <file>...`; never throws. -W: checked in the master-worker mode HAProxy runs in
// (haproxy-args), else a `program` section of a user's --config fails the check of a config it runs. In a
// process group of its own, ended with the binary: a `--haproxy-bin` wrapper's child holding the output
// pipe no longer holds the verdict (nor, around a hung binary, past `timeoutMs`).
export async function checkConfig(
  bin: string,
  files: readonly string[],
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<CheckResult> {
  const started = performance.now();
  // Not execa's buffer: its bound (maxBuffer) ends the check, and its default keeps 100 MB a stream.
  const kept = new BoundedOutput();
  const subprocess = runInOwnGroup(bin, ["-c", "-W", ...files.flatMap((file) => ["-f", file])], {
    reject: false,
    buffer: false,
    stdin: "ignore",
    timeout: timeoutMs,
  });
  const add = (chunk: Buffer) => kept.add(chunk);
  subprocess.stdout?.on("data", add);
  subprocess.stderr?.on("data", add);
  const result = await subprocess;
  const durationMs = Math.round(performance.now() - started);
  const output = kept.text().trim();
  const stopped = result.timedOut
    ? `haproxy -c timed out after ${timeoutMs} ms`
    : result.signal === undefined
      ? null
      : `haproxy -c was killed by ${result.signal}`;
  const spawnError =
    result.exitCode === undefined && stopped === null
      ? (result.originalMessage ?? result.shortMessage ?? "unknown error")
      : null;
  return {
    ok: result.exitCode === 0,
    exitCode: result.exitCode ?? null,
    output,
    durationMs,
    spawnError,
    stopped,
  };
}
