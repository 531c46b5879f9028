// What the applier last parsed of the inputs, as the stale-map report (report-stale-map.ts) takes it, and
// whether the files on disk are still those: that report judges a table only then.
import type { SharedTable } from "@rancher-haproxy/core";
import type { Validated } from "../reload/validate-contract.js";
import { readInputs, type InputFiles, type InputPaths } from "../sources/read-inputs.js";
import { pathIdentity } from "../sources/stat-identity.js";

// Where the inputs were read, the hash of their bytes, and the two shared files' identities as read.
export interface ReadFrom {
  paths: InputPaths;
  hash: string;
  identities: { backends: string; map: string };
}

// What the applier last parsed of the inputs (SnapshotStore's validation, no second read): their table,
// the map's size in bytes and, when read from the volume, what was read (ReadFrom); null when they broke
// the contract, were not settled, or none was parsed.
export interface ParsedInputs {
  table: Pick<SharedTable, "hosts" | "backends">;
  mapBytes: number;
  read?: ReadFrom;
}

// The ParsedInputs of `files`, read from `paths` and validated into `table`.
export function parsedInputsOf(
  files: InputFiles,
  table: ParsedInputs["table"],
  paths: InputPaths,
): ParsedInputs {
  const { identities } = files;
  const read = identities ? { read: { paths, hash: files.hash, identities } } : {};
  return { table, mapBytes: files.map.length, ...read };
}

// What a validation of `files` (read from `paths`) gives the report: null when they were refused or not
// settled; else the table as the files hold it, before the backends a --config section names are left
// out (generate-maps names a backend of each stack it declares in the pair it writes, not in the filtered
// table: a clash and two services asking for one path left a stack no line; the clash has its report).
export function parsedOfValidation(
  files: InputFiles,
  validated: Validated,
  paths: InputPaths,
): ParsedInputs | null {
  return validated.ok ? parsedInputsOf(files, validated.written ?? validated.table, paths) : null;
}

// A check of whether the files on disk are the ones read: the same identities (two lstat), or, once
// either changed, the same bytes read again (a touch, a copy loop writing a file again): their
// identities then stand for the read, so the next check only stats again. Files replaced since (a pair
// read between generate-maps' two renames, the applier's pass still applying it) are not the ones read;
// their identities are kept too, so they are read once, not at every check while the pass lasts (a
// reload held for old workers: minutes).
export function onDiskCheck(): (read: ReadFrom) => Promise<boolean> {
  type Seen = { read: ReadFrom; identities: ReadFrom["identities"] };
  let again: Seen | null = null;
  let other: Seen | null = null;
  const same = (seen: Seen | null, read: ReadFrom, now: ReadFrom["identities"]) =>
    seen?.read === read && seen.identities.backends === now.backends && seen.identities.map === now.map;
  return async (read) => {
    const known = again?.read === read ? again.identities : read.identities;
    const [backends, map] = await Promise.all([
      pathIdentity(read.paths.backends),
      pathIdentity(read.paths.map),
    ]);
    if (backends === known.backends && map === known.map) return true;
    if (same(other, read, { backends, map })) return false;
    const reread = await readInputs(read.paths);
    if (!reread.ok || reread.files.hash !== read.hash || !reread.files.identities) {
      other = { read, identities: { backends, map } };
      return false;
    }
    again = { read, identities: reread.files.identities };
    return true;
  };
}
