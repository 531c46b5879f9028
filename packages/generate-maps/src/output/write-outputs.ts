// The only code that writes files: backends first, then the map, each only when its bytes differ.
import { writeIfChanged } from "@rancher-haproxy/core";

// One file to write: where, and the bytes it should hold.
export interface OutputFile {
  path: string;
  content: string;
}

// The two files of a cycle, in the order they must reach the disk.
export interface OutputFiles {
  backends: OutputFile;
  map: OutputFile;
}

// What happened to one file: written (with what it held before), unchanged, failed, or not tried.
export type FileOutcome =
  | { path: string; status: "changed"; previous: string | null; content: string }
  | { path: string; status: "unchanged" }
  | { path: string; status: "failed"; error: unknown }
  | { path: string; status: "not-attempted" };

// Writes backends then map (tmp + fsync + rename via core). When backends fails the map is not touched,
// so the map never names a backend HAProxy's files do not declare. Never throws.
export async function writeOutputs(files: OutputFiles): Promise<FileOutcome[]> {
  const outcomes: FileOutcome[] = [];
  for (const file of [files.backends, files.map]) {
    if (outcomes.some((outcome) => outcome.status === "failed")) {
      outcomes.push({ path: file.path, status: "not-attempted" });
      continue;
    }
    try {
      const result = await writeIfChanged(file.path, file.content);
      outcomes.push(
        result.changed
          ? { path: file.path, status: "changed", previous: result.previous, content: file.content }
          : { path: file.path, status: "unchanged" },
      );
    } catch (error) {
      outcomes.push({ path: file.path, status: "failed", error });
    }
  }
  return outcomes;
}
