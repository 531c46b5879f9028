// One reload of the stand-in: a version UUID, a shuffle, views and a response cache over a TreeSet.
import { randomUUID } from "node:crypto";
import { ApiView } from "./api-view.js";
import { ResponseCache } from "./response-cache.js";
import type { TreeSet } from "./tree-set.js";
import type { ShuffleMode } from "./types.js";

// What the server serves between two reloads. A reload with unchanged data reuses the TreeSet.
export class Snapshot {
  readonly version = randomUUID();
  readonly cache = new ResponseCache();
  private readonly views = new Map<string, ApiView>();

  constructor(
    readonly trees: TreeSet,
    readonly shuffle: ShuffleMode,
  ) {}

  // The API version a request's version segment names: itself when served, the highest one for
  // `latest` ("" when nothing is served), null for an invalid version.
  resolve(version: string): string | null {
    if (this.trees.apiVersions.includes(version)) return version;
    if (version !== "latest") return null;
    return this.trees.apiVersions.at(-1) ?? "";
  }

  // The view of an API version in this reload (built on first use).
  view(api: string): ApiView | undefined {
    let view = this.views.get(api);
    if (view === undefined) {
      const entry = this.trees.get(api);
      if (entry === undefined) return undefined;
      view = new ApiView(entry, this.version, this.shuffle);
      this.views.set(api, view);
    }
    return view;
  }

  // The answer of the root path: every served version plus `latest`, each with its URL path.
  rootListing(): Record<string, string> {
    const listing: Record<string, string> = {};
    for (const api of [...this.trees.apiVersions, "latest"]) listing[api] = "/" + encodeURIComponent(api);
    return listing;
  }
}
