// Reads a triple of files (the inputs, or a snapshot's copies of them) and keeps only its hash: the bytes
// are let go before the caller goes on, so a probe holds one triple at a time, never two.
import { readInputs, type InputPaths } from "../sources/read-inputs.js";

// The sha256 of the triple (as the applier hashes it), or why it cannot be had.
export type TripleHash = { ok: true; hash: string } | { ok: false; problem: string };

// How a probe reads a triple: hashTriple, or a memo around it (tests count the calls).
export type ReadTriple = (paths: InputPaths) => Promise<TripleHash>;

// Reads the files with readInputs' checks (regular, no symlink, at most MAX_INPUT_BYTES); never throws.
export async function hashTriple(paths: InputPaths): Promise<TripleHash> {
  const outcome = await readInputs(paths);
  if (outcome.ok) return { ok: true, hash: outcome.files.hash };
  const unreadable = "unreadable" in outcome ? outcome.unreadable : [];
  const problems = [
    ...outcome.missing.map((path) => `${path} is missing`),
    ...unreadable.map((input) => `${input.path} ${input.reason}`),
  ];
  return { ok: false, problem: problems.join(", ") || "an input cannot be read" };
}
