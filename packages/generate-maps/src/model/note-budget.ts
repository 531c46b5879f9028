// The route notes of one table, at most MAX_ROUTE_NOTES of each code. Notes multiply what metadata sends:
// every container may give one per invalid option label, and every `hosts` claim that loses gives one, so
// 160 000 stacks each claiming 32 names made 5 million notes (2.8 GB of heap, minutes of CPU, a loop that
// answered nothing), and 125 000 notes in one backend overflowed the call stack. Past the cap a code's
// notes are counted, not kept, and one `note-limit` note per such code says how many; a cap per code, so
// a flood of one kind (bad option labels) never hides another (a lost host).
import { wholeSlice } from "./describe-value.js";
import type { NoteCode } from "./reasons.js";
import type { RouteNote } from "./routing-table.js";

// The most route notes of one code a table keeps (logs, /routes and explain show these).
export const MAX_ROUTE_NOTES = 10_000;

// Bounded lists of notes, filled in the model's deterministic order (each step walks backends or keys
// in name order), so which notes are kept never depends on the order metadata listed containers in.
export class NoteBudget {
  private readonly kept: RouteNote[] = [];
  private readonly keptOf = new Map<NoteCode, number>();
  private readonly droppedOf = new Map<NoteCode, number>();

  constructor(private readonly max: number = MAX_ROUTE_NOTES) {}

  // Keeps `note` while its code has room, else counts it.
  add(note: RouteNote): void {
    const kept = this.keptOf.get(note.code) ?? 0;
    if (kept < this.max) {
      this.kept.push(note);
      this.keptOf.set(note.code, kept + 1);
    } else this.droppedOf.set(note.code, (this.droppedOf.get(note.code) ?? 0) + 1);
  }

  // How many notes of each code were made, kept or not (the metrics' counts).
  totals(): Map<NoteCode, number> {
    const totals = new Map(this.keptOf);
    for (const [code, dropped] of this.droppedOf) totals.set(code, (totals.get(code) ?? 0) + dropped);
    return totals;
  }

  // How many notes were counted, not kept.
  get dropped(): number {
    let sum = 0;
    for (const dropped of this.droppedOf.values()) sum += dropped;
    return sum;
  }

  // The kept notes, and a `note-limit` note for each code some of whose notes were not kept.
  notes(): RouteNote[] {
    const limits = [...this.droppedOf].map(([code, dropped]): RouteNote => ({
      backend: "",
      container: null,
      code: "note-limit",
      reason: `${dropped} more ${code} notes were not kept: a table keeps the first ${this.max} of each code`,
    }));
    return [...limits, ...this.kept];
  }
}

// The most code units of a metadata value clipForNote keeps; explain's cutNameMatcher reads cut names by it.
export const NOTE_VALUE_UNITS = 200;

// A metadata value cut for a note's or a skip's reason (a label value, an option set, a list of names, a
// stack uuid, a container name, an aliases key): values can be up to a megabyte long and would be repeated
// in every reason that quotes them (a 1 MiB stack uuid quoted by 3 000 skips made /routes throw).
// The cut never splits a surrogate pair (an emoji): a lone half is no character, and /routes' JSON wrote it
// as `\ud83d`, which strict JSON readers refuse (the pair then counts among the characters left).
export function clipForNote(text: string, max = NOTE_VALUE_UNITS): string {
  if (text.length <= max) return text;
  const kept = wholeSlice(text, max);
  return `${kept}… (${text.length - kept.length} more characters)`;
}
