// The table's notes on what an explanation matched (option fallbacks, disagreements, refused hosts): a
// host's go by its backend's stack (`<stack>` and every `<stack>.<service>`), a container's by its uuid
// and name (its name alone when it has no uuid) or its backend. The keys of the matches go into sets
// first, so the notes are read once, not once per match (20 000 containers of one name against their
// 20 000 notes took seconds).
import type { RouteNote } from "../model/routing-table.js";
import { lookupNames, isAboutKeyOf } from "./lookup-names.js";
import type { Explanation } from "./explanation.js";

// The notes of `notes` about any of `matches`, in their order. A host's also take the refused or lost
// `hosts` claims of the names it is looked up by (lookupNames), whichever backend made them: until
// 2026-12-04 a name claimed by a refused `hosts` label was "not under the domain" (404) with no word of
// the refusal.
export function notesAbout(notes: readonly RouteNote[], matches: Explanation["matches"]): RouteNote[] {
  const stacks = new Set<string>();
  const containers = new Set<string>();
  const owners = new Set<string>();
  const backends = new Set<string>();
  const names = new Set<string>();
  for (const match of matches)
    if (match.kind === "host") {
      // an unrouted host has no stack: "" matched the table-wide `note-limit` notes (a review)
      if (match.backend !== null) stacks.add(stackOf(match.backend));
      for (const entry of lookupNames(match.host)) names.add(entry.name);
    } else {
      // by uuid: names over 200 characters are held cut, and until 2026-12-05 the notes of a twin whose
      // name shares the first 200 (and the length) came with the answer for one of them; and by name with
      // it: metadata may give two containers one uuid, and a note of the other came with the answer too
      if (match.uuid === null) containers.add(match.container);
      else owners.add(ownerKey(match.uuid, match.container));
      if (match.backend !== null) backends.add(match.backend);
    }
  return notes.filter(
    (note) =>
      stacks.has(stackOf(note.backend)) ||
      (note.container !== null &&
        (note.uuid === undefined
          ? containers.has(note.container)
          : owners.has(ownerKey(note.uuid, note.container)))) ||
      backends.has(note.backend) ||
      isAboutKeyOf(note, names),
  );
}

// A container as a note names it: its uuid and its (cut) name.
function ownerKey(uuid: string, container: string): string {
  return `${uuid}\0${container}`;
}

// The part of a backend name before its first dot: the stack of `<stack>.<service>`.
function stackOf(backend: string): string {
  const dot = backend.indexOf(".");
  return dot < 0 ? backend : backend.slice(0, dot);
}
