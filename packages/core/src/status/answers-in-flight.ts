// The bytes of large answers a status listener has handed to sockets and not sent yet, each distinct
// body counted once. A kept answer (withBytes: /config, /routes) is one buffer per version, shared by
// every request of that version; but a client that reads slowly, a few bytes every few seconds, keeps
// its version's buffer alive for as long as it likes, and each new version (every change the reloader
// applies) is a new buffer: 60 such clients held 60 versions of a 14 MB /config, 880 MB, for good.

/** the large-answer budget: a new large answer that would take the distinct ones waiting to be sent past
 * this many bytes is refused, unless none waits (one alone always goes, whatever its size) */
export const MAX_ANSWER_BYTES_IN_FLIGHT = 256 * 1024 * 1024;
/** answers up to this size are never counted nor refused (/healthz, /metrics, every error text) */
export const SMALL_ANSWER_BYTES = 1024 * 1024;

// The large bodies being sent, with how many answers send each.
export class AnswersInFlight {
  private readonly bodies = new Map<Buffer, number>();
  private total = 0;

  // `limit`: a positive integer, else MAX_ANSWER_BYTES_IN_FLIGHT.
  constructor(private readonly limit = MAX_ANSWER_BYTES_IN_FLIGHT) {
    if (!Number.isSafeInteger(limit) || limit <= 0) this.limit = MAX_ANSWER_BYTES_IN_FLIGHT;
  }

  /** the bytes of distinct large bodies being sent */
  get bytes(): number {
    return this.total;
  }

  // Takes `body` for one answer: the release to call once that answer is sent or abandoned, or null
  // when it would take the bytes in flight past the limit. A small body, a body already being sent and
  // the first large body while none is in flight are always taken (any answer can be sent alone).
  admit(body: Buffer): (() => void) | null {
    if (body.length <= SMALL_ANSWER_BYTES) return () => undefined;
    const senders = this.bodies.get(body);
    if (senders === undefined && this.total > 0 && this.total + body.length > this.limit) return null;
    this.bodies.set(body, (senders ?? 0) + 1);
    if (senders === undefined) this.total += body.length;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.bodies.get(body) ?? 1) - 1;
      if (left > 0) this.bodies.set(body, left);
      else {
        this.bodies.delete(body);
        this.total -= body.length;
      }
    };
  }
}
