// Who owns which host names, for the `hosts` claims of other stacks (build-host-routes.ts) and, for a
// stack's host, their aliases too (resolve-aliases.ts): a stack owns its host and the names under it, an
// alias host's stack owns it, the names under it and the names between it and the domain. Pure.
import { compareStrings } from "@rancher-haproxy/core";

// Who owns which names: every (lower-cased) stack with a labelled container in the snapshot (routed or
// skipped), and every alias host the aliases answer names, with its stack (the winner when mapped). A
// stack whose containers are all down, or one that is redeploying, keeps its names: another stack's
// `hosts` label must not take its traffic meanwhile.
export interface HostOwners {
  stacks: ReadonlySet<string>;
  aliases: ReadonlyMap<string, string>;
}

// Who owns a name: a stack, by its host (alias null) or by one of its alias hosts.
export interface Owner {
  stack: string;
  alias: string | null;
}

// The stack owning `host`: `<stack>.<domain>` or any name under it; undefined for none.
export function ownerOf(host: string, stacks: ReadonlySet<string>, domain: string): Owner | undefined {
  const suffix = `.${domain}`;
  if (!host.endsWith(suffix)) return undefined;
  const labels = host.slice(0, -suffix.length).split(".");
  const stack = labels[labels.length - 1];
  return stack !== undefined && stacks.has(stack) ? { stack, alias: null } : undefined;
}

// The names between each alias host and the domain (`shop.<domain>` for `login.shop.<domain>`), with the
// stacks whose aliases they are parents of: as a key or a wildcard such a name catches the alias's names
// while its stack is down.
export function aliasParents(owners: ReadonlyMap<string, string>, domain: string): Map<string, Set<string>> {
  const parents = new Map<string, Set<string>>();
  const suffix = `.${domain}`;
  for (const [host, stack] of owners)
    for (let dot = host.indexOf("."); dot >= 0; dot = host.indexOf(".", dot + 1)) {
      const parent = host.slice(dot + 1);
      if (!parent.endsWith(suffix)) break;
      const stacks = parents.get(parent) ?? new Set<string>();
      parents.set(parent, stacks.add(stack));
    }
  return parents;
}

// The first stack (by name) in `stacks` other than `stack`; undefined for none.
export function otherThan(stacks: ReadonlySet<string> | undefined, stack: string): string | undefined {
  if (stacks === undefined) return undefined;
  return [...stacks].filter((other) => other !== stack).sort(compareStrings)[0];
}

// The stack whose alias host is `host` or a parent of it; undefined for none.
export function aliasOwnerOf(host: string, owners: ReadonlyMap<string, string>): Owner | undefined {
  let name = host;
  for (;;) {
    const stack = owners.get(name);
    if (stack !== undefined) return { stack, alias: name };
    const dot = name.indexOf(".");
    if (dot < 0) return undefined;
    name = name.slice(dot + 1);
  }
}
