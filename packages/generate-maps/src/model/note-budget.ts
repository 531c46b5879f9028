// The route notes of one table, at most MAX_ROUTE_NOTES. Notes multiply what metadata sends: every
// container may give one per invalid option label, and every `hosts` claim that loses gives one, so
// 160 000 stacks each claiming 32 names made 5 million notes (2.8 GB of heap, minutes of CPU, a loop that
// answered nothing), and 125 000 notes in one backend overflowed the call stack. Past the cap notes are
// counted, not kept, and one `note-limit` note says how many.
import type { RouteNote } from "./routing-table.js";

// The most route notes a table keeps (logs, /routes and explain show these).
export const MAX_ROUTE_NOTES = 10_000;

// A bounded list of notes, filled in the model's deterministic order (backends by name), so which
// notes are kept never depends on the order metadata listed containers in.
export class NoteBudget {
  private readonly kept: RouteNote[] = [];
  private droppedCount = 0;

  constructor(private readonly max: number = MAX_ROUTE_NOTES) {}

  // Keeps `note` while there is room, else counts it.
  add(note: RouteNote): void {
    if (this.kept.length < this.max) this.kept.push(note);
    else this.droppedCount += 1;
  }

  // How many notes were counted, not kept.
  get dropped(): number {
    return this.droppedCount;
  }

  // The kept notes, and a `note-limit` note when some were not kept.
  notes(): RouteNote[] {
    if (this.droppedCount === 0) return [...this.kept];
    const limit: RouteNote = {
      backend: "",
      container: null,
      code: "note-limit",
      reason: `${this.droppedCount} more route notes were not kept: a table keeps the first ${this.max} (backends in name order)`,
    };
    return [limit, ...this.kept];
  }
}

// A label value (an option set, a list of names) cut for a note's reason: values can be kilobytes long
// and would be repeated in every note that quotes them.
export function clipForNote(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}
