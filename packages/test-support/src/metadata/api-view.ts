// One API version as served during one reload: its version string, array order and per-client roots.
import { setOwn } from "./canonicalize.js";
import { compareGoStrings } from "./go-format.js";
import { shuffleTopLevel } from "./shuffle.js";
import type { ApiTree } from "./tree-set.js";
import type { ShuffleMode } from "./types.js";

type Obj = Record<string, unknown>;

// The tree a client sees at /<version>: the top level plus its own `self`.
export interface ClientRoot {
  root: Obj;
  selfKey: string;
  cacheable: boolean;
}

// Builds per-client roots over a shared top level; with per-request shuffling nothing is reused.
export class ApiView {
  private readonly top: Obj;
  private readonly roots = new Map<string, Obj>();

  constructor(
    private readonly entry: ApiTree,
    version: string,
    private readonly shuffle: ShuffleMode,
  ) {
    const top: Obj = {};
    for (const key of Object.keys(entry.tree)) {
      if (key !== "defaultHost" && key !== "self" && key !== "version") setOwn(top, key, entry.tree[key]);
    }
    top["version"] = version;
    const ordered = sortedObject(top);
    this.top = shuffle === "per-reload" ? shuffleTopLevel(ordered) : ordered;
  }

  // Whether V8's JSON.stringify writes this tree's objects in Go's key order.
  get keysSorted(): boolean {
    return this.entry.keysSorted;
  }

  // The root object a client IP sees, and the name of its self identity.
  clientRoot(ip: string): ClientRoot {
    const { key, self } = this.entry.self.resolve(ip);
    if (this.shuffle === "per-request") {
      return { root: sortedObject({ ...shuffleTopLevel(this.top), self }), selfKey: key, cacheable: false };
    }
    let root = this.roots.get(key);
    if (root === undefined) {
      root = sortedObject({ ...this.top, self });
      this.roots.set(key, root);
    }
    return { root, selfKey: key, cacheable: true };
  }
}

// A shallow copy with keys inserted in Go's order.
function sortedObject(o: Obj): Obj {
  const out: Obj = {};
  for (const key of Object.keys(o).sort(compareGoStrings)) setOwn(out, key, o[key]);
  return out;
}
