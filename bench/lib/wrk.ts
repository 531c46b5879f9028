// wrk with a Lua script that rotates the Host header over many stacks, parsed into requests/s and errors.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

// One wrk run's figures.
export interface WrkRun {
  requestsPerSecond: number;
  requests: number;
  /** socket errors plus non-2xx/3xx answers */
  errors: number;
}

// Write the Lua script that asks for app-0 … app-<hosts-1>.dev.tld in turn (one counter per thread),
// each number zero-padded to `width` digits (stackHost(i, width)): with one host it asks for app-0…0
// with the same Lua work per request and a Host of the same length as with many.
export async function writeRotateScript(dir: string, hosts: number, width: number): Promise<string> {
  if (!Number.isInteger(width) || width < 1 || width > 9) throw new RangeError(`width ${width}`);
  const path = join(dir, `rotate-${hosts}-hosts.lua`);
  await writeFile(
    path,
    [
      "-- Rotates the Host header over every mapped stack so each lookup walks a different key.",
      "local i = 0",
      "request = function()",
      `  i = (i + 1) % ${hosts}`,
      `  return wrk.format("GET", "/", { ["Host"] = string.format("app-%0${width}d.dev.tld", i) })`,
      "end",
      "",
    ].join("\n"),
  );
  return path;
}

// Run wrk against `url` for `seconds` with 16 connections on one thread.
export async function runWrk(wrk: string, url: string, script: string, seconds: number): Promise<WrkRun> {
  const { stdout } = await run(wrk, ["-t1", "-c16", `-d${seconds}s`, "-s", script, url], {
    timeout: 120_000,
  });
  const number = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const errors =
    number(/Non-2xx or 3xx responses: (\d+)/) +
    (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0);
  return {
    requestsPerSecond: Math.round(number(/Requests\/sec:\s+([\d.]+)/)),
    requests: number(/(\d+) requests in/),
    errors,
  };
}
