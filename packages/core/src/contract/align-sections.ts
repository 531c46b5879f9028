// Which sections of a new version of the backends file are, byte for byte, sections of the last one,
// and where the others start. The bytes both versions start and end with are found first; between
// them, runs of equal bytes are followed section by section, a section that differs is cut anew, and
// the run starts again after it (so a change to two backends far apart costs a few hundred native
// compares, not a decode of the whole file). A section is taken over only when its bytes and the first
// byte after it are equal (so it ends where it ended). Sections added or removed between the two ends
// may put the rest of that stretch out of step: it is then cut anew, which costs time, never exactness.
import { countBelow } from "../sorted/count-below.js";
import { commonRun, commonSuffix, sectionEnd } from "./section-bytes.js";

// The new file's sections: where each starts, and the index of the old section with its bytes (-1:
// none, read it).
export interface Alignment {
  starts: number[];
  old: number[];
}

// Align `bytes` with `last`, whose sections start at `lastStarts` (ascending, the first at 0).
export function alignSections(last: Buffer, lastStarts: readonly number[], bytes: Buffer): Alignment {
  const start = (index: number) => lastStarts[index] ?? last.length;
  const prefix = commonRun(last, 0, bytes, 0, Math.min(last.length, bytes.length));
  const kept = Math.max(0, countBelow(lastStarts, prefix) - 1);
  const suffix = commonSuffix(last, bytes, Math.min(last.length, bytes.length) - start(kept));
  const shift = bytes.length - last.length;
  // Old sections [0, kept) end in the shared start, [after, …) lie in the shared end.
  const after = Math.max(kept, countBelow(lastStarts, last.length - suffix));
  const to = start(after) + shift;
  const alignment: Alignment = { starts: [], old: [] };
  const take = (first: number, end: number, delta: number) => {
    for (let index = first; index < end; index++) {
      alignment.starts.push(start(index) + delta);
      alignment.old.push(index);
    }
  };
  take(0, kept, 0);
  let [index, at] = [kept, start(kept)];
  while (index < after && at < to) {
    const run = commonRun(last, start(index), bytes, at, Math.min(start(after) - start(index), to - at));
    // Sections ending before the first byte that differs (or the stretch's end) are equal; the next one
    // is cut anew.
    const equal = Math.min(after - 1, Math.max(index, countBelow(lastStarts, start(index) + run) - 1));
    take(index, equal, at - start(index));
    at += start(equal) - start(index);
    alignment.starts.push(at);
    alignment.old.push(-1);
    [index, at] = [equal + 1, sectionEnd(bytes, at, to)];
  }
  for (; at < to; at = sectionEnd(bytes, at, to)) {
    alignment.starts.push(at);
    alignment.old.push(-1);
  }
  take(after, lastStarts.length, shift);
  return alignment;
}
