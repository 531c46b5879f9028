// SlotOverlay (the runtime slot assignment's map of a scale event) answers as the Map it stands for:
// over random sequences of replaced lists, folded into a copy or not, with new names now and then.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Slot, SlotMap } from "../src/model/server-slots.ts";
import { SlotOverlay } from "../src/model/slot-overlay.ts";

const NAMES = Array.from({ length: 100 }, (_, index) => `app-${index}`);
const list = (server: string | null): readonly Slot[] => [{ server, options: {} }];

test("SlotOverlay.with answers get, has, size and every iteration as a Map with those sets would", () => {
  let overlays = 0;
  let folds = 0;
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.tuple(fc.nat(104), fc.constantFrom("w1", "w2", null)), { maxLength: 12 }), {
        minLength: 1,
        maxLength: 40,
      }),
      (steps) => {
        let model = new Map(NAMES.map((name) => [name, list(null)]));
        let map: SlotMap = new Map(model);
        for (const step of steps) {
          const changes = new Map(step.map(([index, server]) => [`app-${index}`, list(server)]));
          const before = [...map.entries()];
          const next = SlotOverlay.with(map, changes);
          if (next instanceof SlotOverlay) overlays += 1;
          else if (map instanceof SlotOverlay) folds += 1;
          model = new Map(model);
          for (const [name, slots] of changes) model.set(name, slots);
          // The map it was made from is unchanged.
          assert.deepEqual([...map.entries()], before);
          map = next;
          assert.equal(map.size, model.size);
          assert.deepEqual([...map.entries()], [...model.entries()]);
          assert.deepEqual([...map], [...model]);
          assert.deepEqual([...map.keys()], [...model.keys()]);
          assert.deepEqual([...map.values()], [...model.values()]);
          const each: [string, readonly Slot[]][] = [];
          map.forEach((slots, name) => each.push([name, slots]));
          assert.deepEqual(each, [...model.entries()]);
          for (const name of [...NAMES, "app-101", "app-104", "nope"]) {
            assert.equal(map.get(name), model.get(name));
            assert.equal(map.has(name), model.has(name));
          }
        }
      },
    ),
    { numRuns: 150 },
  );
  assert.ok(overlays > 500 && folds > 20, `overlays ${overlays}, folds ${folds}: a path is barely taken`);
});
