// Binary search over ascending offsets, shared by the readers that cut a text into pieces or sections
// (metadata/json-array-entries.ts, contract/align-sections.ts).

// How many of the ascending `sorted` are below `limit`.
export function countBelow(sorted: readonly number[], limit: number): number {
  let [low, high] = [0, sorted.length];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? limit) < limit) low = middle + 1;
    else high = middle;
  }
  return low;
}
