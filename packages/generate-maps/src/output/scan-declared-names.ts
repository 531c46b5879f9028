// The backend names an old backends file declares (`backend <name>` lines), read chunk by chunk when the
// file is over the cycle's read cap (old-output-cap.ts) and so was not read whole. The write order needs
// only those names: without them, a write that dropped more than half of a file over 1 MiB (a large
// environment torn down) renamed the new backends file first, while the old map still named the removed
// backends. Only lines that start with `backend` are looked at (found with indexOf, no split), so a
// hostile 32 MiB file costs well under a second of CPU, in slices of one 1 MiB chunk. Bounded in bytes
// (the guard's baseline cap), in names (the contract's backend cap) and in memory (one chunk and the
// names); a name that breaks the naming rules is ignored, as nothing the generator writes has one.
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { isBackendName, MAX_SHARED_BACKENDS, parseTcpBackendName } from "@rancher-haproxy/core";
import { GUARD_BASELINE_MAX_BYTES } from "../guard/read-map-alias-keys.js";
import { BACKEND_HEADER } from "./plan-writes.js";

const CHUNK_BYTES = 1024 * 1024;
// The longest `backend <name>` line kept across chunks (a name is at most 127 characters).
const MAX_HEADER_CHARS = 256;

// The names the backends file at `path` declares, or null when they are not known: absent, not a regular
// file, over `maxBytes`, more than `maxNames` names, or unreadable.
export async function scanDeclaredNames(
  path: string,
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
    // The start of the line the last chunk ended in, when it may be a `backend` line ("" otherwise).
    let carry = "";
    for (let total = 0; ;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, total);
      total += bytesRead;
      if (total > maxBytes) return null;
      const end = bytesRead === 0;
      const text = carry + (end ? decoder.end() : decoder.write(buffer.subarray(0, bytesRead)));
      carry = headersIn(text, end, names);
      if (names.size > maxNames) return null;
      if (end) return names;
    }
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

// Adds the names of the whole `backend` lines of `text` (which starts at a line's start); returns the
// unfinished last line to read on with the next chunk (`last`: there is no more text). A longer one than
// any header is carried as "\0" only, so its rest is not taken for a line's start.
function headersIn(text: string, last: boolean, names: Set<string>): string {
  const whole = last ? text.length : text.lastIndexOf("\n") + 1;
  const header = (from: number) => {
    const stop = text.indexOf("\n", from);
    addHeader(text.slice(from, stop === -1 ? text.length : stop), names);
    return stop === -1 ? text.length : stop;
  };
  let at = whole > 0 && text.startsWith("backend") ? header(0) : 0;
  for (;;) {
    const found = text.indexOf("\nbackend", at);
    if (found === -1 || found + 1 >= whole) break;
    at = header(found + 1);
  }
  if (last) return "";
  const rest = text.slice(whole);
  return rest.length <= MAX_HEADER_CHARS ? rest : "\u0000";
}

function addHeader(line: string, names: Set<string>): void {
  const name = BACKEND_HEADER.exec(line)?.[1];
  if (name !== undefined && (isBackendName(name) || parseTcpBackendName(name) !== undefined)) names.add(name);
}
