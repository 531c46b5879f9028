// The backend names an old output declares (`backend <name>` lines) or routes to (a map line's second
// field), read chunk by chunk when the file is over the cycle's read cap (old-output-cap.ts) and so was
// not read whole. The write order needs only those names: without them, a write that dropped more than
// half of a file over 1 MiB (a large environment torn down) renamed the new backends file first, while
// the old map still named the removed backends. Bounded in bytes (the guard's baseline cap), in names
// (the contract's backend cap) and in memory (one chunk and the names); a name that breaks the naming
// rules is ignored, as nothing the generator writes has one.
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { isBackendName, MAX_SHARED_BACKENDS, parseTcpBackendName } from "@rancher-haproxy/core";
import { GUARD_BASELINE_MAX_BYTES } from "../guard/removal-guard.js";

const CHUNK_BYTES = 1024 * 1024;
// The longest line kept across chunks: a longer one is no line the generator writes (skipped).
const MAX_LINE_CHARS = 4096;

// The names in the file at `path` (`file`: which kind), or null when they are not known: absent, not a
// regular file, over `maxBytes`, more than `maxNames` names, or unreadable.
export async function scanOldNames(
  path: string,
  file: "backends" | "map",
  maxBytes = GUARD_BASELINE_MAX_BYTES,
  maxNames = MAX_SHARED_BACKENDS,
): Promise<Set<string> | null> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size > maxBytes) return null;
    const names = new Set<string>();
    const decoder = new StringDecoder("utf8");
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let rest = "";
    for (let total = 0; ;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, total);
      total += bytesRead;
      if (total > maxBytes) return null;
      const text = rest + (bytesRead === 0 ? decoder.end() : decoder.write(buffer.subarray(0, bytesRead)));
      const lines = text.split("\n");
      rest = bytesRead === 0 ? "" : (lines.pop() ?? "");
      if (rest.length > MAX_LINE_CHARS) rest = "\u0000"; // the line is skipped, whatever follows it
      for (const line of lines) {
        const name = file === "backends" ? declaredName(line) : routedName(line);
        if (name !== undefined) names.add(name);
      }
      if (names.size > maxNames) return null;
      if (bytesRead === 0) return names;
    }
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

function declaredName(line: string): string | undefined {
  const match = /^backend\s+(\S+)\s*$/.exec(line);
  return match?.[1] !== undefined && isName(match[1]) ? match[1] : undefined;
}

function routedName(line: string): string | undefined {
  if (line.trimStart().startsWith("#")) return undefined;
  const name = line.trim().split(/\s+/)[1];
  return name !== undefined && isName(name) ? name : undefined;
}

function isName(name: string): boolean {
  return isBackendName(name) || parseTcpBackendName(name) !== undefined;
}
