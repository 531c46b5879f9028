// What the stand-in was asked, for tests to assert on (e.g. that a client long-polled /version).
import type { RequestRecord } from "./types.js";

// Counters by path (unbounded, cheap) plus the last `limit` requests in full.
export class RequestLog {
  private readonly byPath = new Map<string, number>();
  private readonly recent: RequestRecord[] = [];
  private totalCount = 0;
  private longPollCount = 0;

  constructor(private readonly limit = 10_000) {}

  // Records a request as it arrives; the returned record gets its status when the response ends.
  start(record: RequestRecord): RequestRecord {
    this.totalCount++;
    if (record.longPoll) this.longPollCount++;
    this.byPath.set(record.path, (this.byPath.get(record.path) ?? 0) + 1);
    this.recent.push(record);
    if (this.recent.length > this.limit * 2) this.recent.splice(0, this.recent.length - this.limit);
    return record;
  }

  // How many requests there were in all, for one exact path, or for the paths a RegExp matches.
  count(path?: string | RegExp): number {
    if (path === undefined) return this.totalCount;
    if (typeof path === "string") return this.byPath.get(path) ?? 0;
    let n = 0;
    for (const [p, c] of this.byPath) if (path.test(p)) n += c;
    return n;
  }

  // How many requests were long polls (wait=true with a value).
  get longPolls(): number {
    return this.longPollCount;
  }

  // The most recent requests, oldest first (at most `limit`).
  get entries(): readonly RequestRecord[] {
    return this.recent.length > this.limit ? this.recent.slice(-this.limit) : this.recent.slice();
  }

  // Request counts by path.
  get paths(): ReadonlyMap<string, number> {
    return this.byPath;
  }

  // Forgets everything recorded so far.
  reset(): void {
    this.byPath.clear();
    this.recent.length = 0;
    this.totalCount = 0;
    this.longPollCount = 0;
  }
}
