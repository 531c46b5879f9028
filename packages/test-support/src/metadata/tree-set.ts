// The data of one setTree()/setTrees(): private canonical copies per API version, kept across reloads.
import { canonicalize } from "./canonicalize.js";
import { DERIVED_API_VERSIONS, deriveApiTree } from "./derive-api-tree.js";
import { compareGoStrings } from "./go-format.js";
import { hideServiceTokens } from "./hide-service-tokens.js";
import { isMap } from "./render-text.js";
import { SelfResolver } from "./self-resolver.js";
import type { Host, Tree } from "./types.js";

// Where the trees come from: one 2015-12-19 tree (other versions derived) or one tree per version.
export type TreeSource = { tree: Tree } | { trees: Record<string, Tree> };

// One API version's tree, ready to serve: Go-ordered copy (`source`), the same with service tokens
// blanked (`tree`, what is served), JSON fast-path flag, /self resolver.
export interface ApiTree {
  source: Record<string, unknown>;
  tree: Record<string, unknown>;
  keysSorted: boolean;
  self: SelfResolver;
}

const BASE_API_VERSION = "2015-12-19";

// Canonical trees per API version (service tokens hidden); derived versions are built on first use.
export class TreeSet {
  private readonly entries = new Map<string, ApiTree>();
  private readonly base: Tree | null;
  readonly apiVersions: readonly string[];

  constructor(
    source: TreeSource,
    private readonly defaultHost: Host | null | undefined,
  ) {
    if ("trees" in source) {
      this.base = null;
      this.apiVersions = Object.keys(source.trees).sort(compareGoStrings);
      for (const api of this.apiVersions) this.entries.set(api, this.prepare(source.trees[api] as Tree));
    } else {
      const entry = this.prepare(source.tree);
      this.base = entry.source as Tree;
      this.apiVersions = [...DERIVED_API_VERSIONS];
      this.entries.set(BASE_API_VERSION, entry);
    }
  }

  // The tree of an API version (exact key), or undefined when this set does not serve it.
  get(api: string): ApiTree | undefined {
    let entry = this.entries.get(api);
    if (entry === undefined && this.base !== null && this.apiVersions.includes(api)) {
      entry = this.prepare(deriveApiTree(this.base, api));
      this.entries.set(api, entry);
    }
    return entry;
  }

  // A deep copy of the tree update() edits: 2015-12-19 when served, else the highest version.
  editableTree(): Tree {
    const api = this.apiVersions.includes(BASE_API_VERSION) ? BASE_API_VERSION : this.apiVersions.at(-1);
    const entry = api === undefined ? undefined : this.get(api);
    return entry === undefined ? {} : (structuredClone(entry.source) as Tree);
  }

  private prepare(tree: Tree): ApiTree {
    const { value, keysSorted } = canonicalize(isMap(tree) ? tree : {});
    const { served, tokens } = hideServiceTokens(value);
    const self = new SelfResolver(served, this.pickDefaultHost(value), tokens);
    return { source: value, tree: served, keysSorted, self };
  }

  private pickDefaultHost(tree: Record<string, unknown>): unknown {
    if (Object.hasOwn(tree, "defaultHost")) return tree["defaultHost"] ?? undefined;
    if (this.defaultHost !== undefined) return canonicalize(this.defaultHost).value ?? undefined;
    const first = Array.isArray(tree["hosts"]) ? tree["hosts"].find(isMap) : undefined;
    if (first === undefined) return undefined;
    return Object.fromEntries(Object.entries(first).filter(([key]) => key !== "hostId"));
  }
}
