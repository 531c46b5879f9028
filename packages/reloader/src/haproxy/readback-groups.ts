// The read-back's commands cut into groups, each sent as a batch of its own (worker-commands.ts) and
// asking for at most READBACK_ROWS answer rows: batch lines are cut by the size of their commands
// (batch-lines.ts), but `show servers state <backend>` answers one row (≈ 80–100 bytes) per slot, so at
// SERVER_SLOTS=1000 a 12 KB line of ≈ 300 touched backends asked for ≈ 25 MB in one answer, measured at
// 1.8 s on a busy 2-core box against the 2 s timeout of a line: a needless fallback reload. Pure.

/** the answer rows one read-back batch asks for at most (≈ 1 MB; at SERVER_SLOTS=10, ≈ 1 000 backends:
 * more than a 12 KB line holds, so the default cut is the line's) */
export const READBACK_ROWS = 10_000;

// `reads` in order, cut into groups of at most READBACK_ROWS rows; a read of more rows goes alone.
export function readbackGroups<T>(reads: readonly T[], rows: (read: T) => number): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let total = 0;
  for (const read of reads) {
    const count = rows(read);
    if (group.length > 0 && total + count > READBACK_ROWS) {
      groups.push(group);
      group = [];
      total = 0;
    }
    group.push(read);
    total += count;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
