// The table's notes on what an explanation matched (option fallbacks, disagreements, refused hosts): a
// host's go by its backend's stack (`<stack>` and every `<stack>.<service>`), a container's by its name
// or its backend. The keys of the matches go into sets first, so the notes are read once, not once per
// match (20 000 containers of one name against their 20 000 notes took seconds).
import type { RouteNote } from "../model/routing-table.js";
import type { Explanation } from "./explanation.js";

// The notes of `notes` about any of `matches`, in their order.
export function notesAbout(notes: readonly RouteNote[], matches: Explanation["matches"]): RouteNote[] {
  const stacks = new Set<string>();
  const containers = new Set<string>();
  const backends = new Set<string>();
  for (const match of matches)
    if (match.kind === "host") stacks.add(stackOf(match.backend ?? ""));
    else {
      containers.add(match.container);
      if (match.backend !== null) backends.add(match.backend);
    }
  return notes.filter(
    (note) =>
      stacks.has(stackOf(note.backend)) ||
      (note.container !== null && containers.has(note.container)) ||
      backends.has(note.backend),
  );
}

// The part of a backend name before its first dot: the stack of `<stack>.<service>`.
function stackOf(backend: string): string {
  const dot = backend.indexOf(".");
  return dot < 0 ? backend : backend.slice(0, dot);
}
