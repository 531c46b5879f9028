// A child's output kept within a byte bound: its beginning and its end, the middle counted and dropped.
// `haproxy -c` of a config with many problems prints a line for each (a user --config with 100 000 bad
// lines prints megabytes); the verdict is the exit code, so the output is only for the log, where the
// first alerts name the cause and the last line says how the check ended.

// The head kept and the tail kept, in bytes, by default: 256 KiB in all.
export const OUTPUT_HEAD_BYTES = 192 * 1024;
export const OUTPUT_TAIL_BYTES = 64 * 1024;

// Collects chunks in arrival order; `text()` joins what was kept with a line saying what was dropped.
export class BoundedOutput {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private dropped = 0;

  constructor(
    private readonly headLimit = OUTPUT_HEAD_BYTES,
    private readonly tailLimit = OUTPUT_TAIL_BYTES,
  ) {}

  // Add one chunk (a Buffer from a stream, or text).
  add(chunk: Buffer | string): void {
    let bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const headRoom = this.headLimit - this.headBytes;
    if (headRoom > 0) {
      const kept = bytes.subarray(0, headRoom);
      this.head.push(Buffer.from(kept));
      this.headBytes += kept.length;
      bytes = bytes.subarray(kept.length);
    }
    if (bytes.length === 0) return;
    this.tail.push(Buffer.from(bytes));
    this.tailBytes += bytes.length;
    while (this.tailBytes > this.tailLimit) this.trimTail();
  }

  // Bytes seen and not kept.
  droppedBytes(): number {
    return this.dropped;
  }

  // The kept output as text; a cut is marked where bytes were dropped.
  text(): string {
    const head = Buffer.concat(this.head).toString("utf8");
    const tail = Buffer.concat(this.tail).toString("utf8");
    if (this.dropped === 0) return head + tail;
    return `${head}\n[… ${this.dropped} bytes of output not kept …]\n${tail}`;
  }

  // Drop bytes from the tail's front until it fits (whole chunks first, then part of one).
  private trimTail(): void {
    const excess = this.tailBytes - this.tailLimit;
    const first = this.tail[0];
    if (first === undefined) return;
    if (first.length <= excess) {
      this.tail.shift();
      this.tailBytes -= first.length;
      this.dropped += first.length;
      return;
    }
    this.tail[0] = first.subarray(excess);
    this.tailBytes -= excess;
    this.dropped += excess;
  }
}
