// A slot map that is another one with some backends' slot lists replaced, without copying it: the
// runtime slot assignment of a scale event in a table of thousands (assign-slots.ts) costs the
// backends it changed, not a copy of a map of thousands (≈ 1.2 ms at 5 000). The replaced lists are
// kept beside the map they replace lists of, and folded into a fresh copy once they are many.
import type { Slot, SlotMap } from "./server-slots.js";

/** replaced lists kept beside their map before a copy takes them in (at least; or 1/16 of the map) */
const MIN_FOLD = 64;

// `base` as its names and order, with the lists of `replaced` (names of `base` only).
export class SlotOverlay implements ReadonlyMap<string, readonly Slot[]> {
  private constructor(
    private readonly base: SlotMap,
    private readonly replaced: SlotMap,
  ) {}

  // `previous` with the lists of `changes` in place of its own: an overlay, or a copy when the
  // replaced lists are many or a name is new (then it comes last, as Map.set puts it).
  static with(previous: SlotMap, changes: SlotMap): SlotMap {
    const [base, earlier] =
      previous instanceof SlotOverlay ? [previous.base, previous.replaced] : [previous, new Map()];
    const replaced = new Map(earlier);
    for (const [name, slots] of changes) replaced.set(name, slots);
    const fold = replaced.size > Math.max(MIN_FOLD, base.size / 16);
    if (!fold && [...changes.keys()].every((name) => base.has(name))) return new SlotOverlay(base, replaced);
    const copy = new Map(base);
    for (const [name, slots] of replaced) copy.set(name, slots);
    return copy;
  }

  get size(): number {
    return this.base.size;
  }

  get(name: string): readonly Slot[] | undefined {
    return this.replaced.get(name) ?? this.base.get(name);
  }

  has(name: string): boolean {
    return this.base.has(name);
  }

  keys(): MapIterator<string> {
    return this.base.keys();
  }

  *values(): MapIterator<readonly Slot[]> {
    for (const [, slots] of this.entries()) yield slots;
  }

  *entries(): MapIterator<[string, readonly Slot[]]> {
    for (const [name, slots] of this.base) yield [name, this.replaced.get(name) ?? slots];
  }

  [Symbol.iterator](): MapIterator<[string, readonly Slot[]]> {
    return this.entries();
  }

  forEach(each: (slots: readonly Slot[], name: string, map: SlotMap) => void, self?: unknown): void {
    for (const [name, slots] of this.entries()) each.call(self, slots, name, this);
  }
}
