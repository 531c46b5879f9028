// Read the three inputs HAProxy is built from, as one hashed triple (the unit of change).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

// Where the inputs are.
export interface InputPaths {
  base: string;
  backends: string;
  map: string;
}

// Their bytes and the sha256 of the triple.
export interface InputFiles {
  base: Buffer;
  backends: Buffer;
  map: Buffer;
  hash: string;
}

// The triple, or the list of missing files (a half-written set is not a configuration).
export type InputsOutcome = { ok: true; files: InputFiles } | { ok: false; missing: string[] };

// Read all three; a missing file is reported, any other error is thrown.
export async function readInputs(paths: InputPaths): Promise<InputsOutcome> {
  const missing: string[] = [];
  const read = async (path: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      missing.push(path);
      return Buffer.alloc(0);
    }
  };
  const [base, backends, map] = await Promise.all([read(paths.base), read(paths.backends), read(paths.map)]);
  if (missing.length > 0) return { ok: false, missing };
  return { ok: true, files: { base, backends, map, hash: hashInputs(base, backends, map) } };
}

// sha256 over the three files with their lengths, so moving bytes between files changes the hash.
export function hashInputs(base: Buffer, backends: Buffer, map: Buffer): string {
  const hash = createHash("sha256");
  for (const part of [base, backends, map]) {
    hash.update(`${part.length}:`);
    hash.update(part);
  }
  return hash.digest("hex");
}
