// The reading side of domain.map: `<key> <backend>` lines, each key (isMapKey) mapped once, each backend
// a backend name (isBackendName) the backends file declares, never a tcp_<port> one (`haproxy -c`
// accepts a map value naming no backend).
import { contentLines, MAX_SHARED_MAP_KEYS, type ProblemList } from "./content-lines.js";
import { FirstLines } from "./first-lines.js";
import { parseTcpBackendName } from "./name-rules.js";
import { isBackendName, isMapKey } from "./option-rules.js";
import type { MapEntry } from "./shared-table.js";

// The map entries of `text`, in file order; what it cannot accept goes to `problems`. Never throws.
export function parseDomainMap(
  text: string,
  backends: ReadonlySet<string>,
  problems: ProblemList,
): MapEntry[] {
  const hosts: MapEntry[] = [];
  const seen = new FirstLines();
  let keys = 0;
  for (const entry of contentLines(text, "map", problems)) {
    const { line, words } = entry;
    if (++keys > MAX_SHARED_MAP_KEYS) {
      problems.halt({ file: "map", line, text: null, reason: `more than ${MAX_SHARED_MAP_KEYS} lines` });
      break;
    }
    const [fqdn = "", backend = ""] = words;
    const first = seen.firstOf(fqdn, line);
    if (words.length !== 2)
      entry.problem(`a map line has 2 fields (<host> <backend>), this one ${words.length}`);
    else if (!isMapKey(fqdn))
      entry.problem(`"${fqdn}" is not a lower-case DNS name, [*.]<name>, with at most one /<path prefix>`);
    else if (first !== undefined) entry.problem(`"${fqdn}" is mapped twice (first on line ${first})`);
    else if (parseTcpBackendName(backend) !== undefined)
      entry.problem(`backend "${backend}" is a TCP backend: no host name routes to it`);
    // no backends file can declare such a name: wrong in itself, not a writer between its renames
    else if (!isBackendName(backend))
      entry.problem(`backend "${backend}" is not a DNS label or <stack>.<service>`);
    else if (!backends.has(backend)) {
      const reason = `backend "${backend}" is not declared in the backends file`;
      problems.add({ file: "map", line, text: null, reason, kind: "unsettled" });
    } else hosts.push({ fqdn, backend });
  }
  return hosts;
}
