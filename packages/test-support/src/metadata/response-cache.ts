// Rendered answers of one reload, so 50 000 containers are not serialised again for every request.
import type { GoResponse } from "./send-go-response.js";

// A cached answer: a response, or "panic" where the Go server would drop the connection.
export type CachedAnswer = GoResponse | "panic";

// A bounded cache (entries and body bytes); the oldest entries go first when it is full.
export class ResponseCache {
  private readonly map = new Map<string, CachedAnswer>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 20_000,
    private readonly maxBytes = 512 * 1024 * 1024,
  ) {}

  // The cached answer for a key, if any.
  get(key: string): CachedAnswer | undefined {
    return this.map.get(key);
  }

  // Stores an answer, evicting the oldest ones beyond the bounds.
  set(key: string, answer: CachedAnswer): void {
    const size = answer === "panic" ? 0 : answer.body.length;
    if (size > this.maxBytes) return;
    this.delete(key);
    this.map.set(key, answer);
    this.bytes += size;
    for (const oldest of this.map.keys()) {
      if (this.map.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  private delete(key: string): void {
    const old = this.map.get(key);
    if (old === undefined) return;
    this.map.delete(key);
    this.bytes -= old === "panic" ? 0 : old.body.length;
  }
}
