// A container's routing option labels `<label>.<option>` read through the registry (core's
// LABEL_OPTIONS): the settings they amount to, a warning per value that fell back to its default, or
// the reason the container must not be routed (an invalid value of a "skip" option). Pure and total.
import { LABEL_OPTIONS, parseValue, type LabelOptionRow, type LabelSettings } from "@rancher-haproxy/core";
import { describeValue } from "./describe-value.js";
import { misspeltOption } from "./misspelt-option.js";
import { ownField } from "./own-field.js";

// The outcome for one container (what it asks of its backend as comparable text: wishOf).
export type LabelReading = { settings: LabelSettings; warnings: string[] } | { skip: string };

// The reading of a container without option labels (most of them): built once, frozen, shared by all
// of them (the model never changes a reading; a change would throw).
const NO_OPTIONS: LabelReading = Object.freeze({
  settings: Object.freeze({
    hosts: Object.freeze([]) as unknown as string[],
    backend: Object.freeze({}),
    server: Object.freeze({}),
  }),
  warnings: Object.freeze([]) as unknown as string[],
});

// The most misspelt-label warnings one container keeps; past them one warning counts the rest. Every label
// is still looked at (a misspelt path, https or hsts still skips the container). A 1 MiB entry holds
// ≈ 30 000 labels one or two letters off `timeout-server`: 62 such entries (64 MB of metadata) made 1.7
// million warnings, a 22 s cycle and 780 MB of RSS, where as many labels far from every option cost 3.4 s
// and 210 MB (found by a review).
export const MAX_MISSPELT_WARNINGS = 20;

// Reads every option of the registry, in its order (path before strip-path), from `labels`.
export function readLabelOptions(labels: unknown, label: string): LabelReading {
  // Most containers have no option label: one pass over their few labels instead of a key per option.
  if (!hasOptionLabel(labels, `${label}.`)) return NO_OPTIONS;
  const settings: LabelSettings = { hosts: [], backend: {}, server: {} };
  const warnings: string[] = [];
  for (const [name, row] of Object.entries(LABEL_OPTIONS as Record<string, LabelOptionRow<unknown>>)) {
    const key = `${label}.${name}`;
    const raw = ownField(labels, key);
    if (raw === undefined) continue;
    const parsed = typeof raw === "string" ? parseValue(row.type, raw) : undefined;
    if (parsed?.ok) {
      row.apply(parsed.value, settings);
      continue;
    }
    const why = `label ${key}=${describeValue(raw)} ${parsed?.reason ?? "must be text"}`;
    if (row.invalid === "skip") return { skip: `${why}; this option never fails open` };
    warnings.push(`${why}; using the default (${row.default ?? "none"})`);
  }
  // in code-unit order, as the TCP label's: the first misspelling of path, https or hsts names the skip, and
  // the order metadata listed the labels in must not change the reason (only the keys that may be
  // misspellings are sorted: an option's own key is none, and most option labels are those)
  let misspelt = 0;
  const prefix = `${label}.`;
  const unknown = Object.keys(labels as object).filter(
    (key) => key.startsWith(prefix) && !Object.hasOwn(LABEL_OPTIONS, key.slice(prefix.length)),
  );
  for (const key of unknown.sort()) {
    const meant = misspeltOption(key.slice(label.length + 1));
    if (meant === undefined) continue;
    const why = () => `label ${describeValue(key)} is no routing option: a misspelt ${label}.${meant}?`;
    // (beside the option itself, the misspelt one is only noted)
    const given = ownField(labels, `${label}.${meant}`) !== undefined;
    if (!given && LABEL_OPTIONS[meant as keyof typeof LABEL_OPTIONS].invalid === "skip")
      return { skip: `${why()} (${meant} never fails open)` };
    if (++misspelt <= MAX_MISSPELT_WARNINGS) warnings.push(`${why()} (ignored)`);
  }
  if (misspelt > MAX_MISSPELT_WARNINGS)
    warnings.push(
      `${misspelt - MAX_MISSPELT_WARNINGS} more misspelt ${label}.* labels are ignored, not listed: a container's first ${MAX_MISSPELT_WARNINGS} are`,
    );
  return { settings, warnings };
}

// What a container skipped for an invalid or misspelt `https`/`hsts` label asks of its backend, failing
// closed: its path (when that label itself is valid) and its valid `hosts` with `https=only` and nothing
// else, so its backend can hold its keys while none of its containers serves instead of letting a path
// fall to the stack's `/` backend, or a `hosts` name to a rival's claim, over plain HTTP (found by a
// review; `<hosts name>/api` fell to the name's `/` key until the hosts were held too, and the `/`
// backend's claims held nothing). Undefined with an invalid or misspelt `path` (which backend is not
// known), or without a path other than `/` nor a `hosts` name (nothing another stack could take).
export function closedReading(
  labels: unknown,
  label: string,
): Exclude<LabelReading, { skip: string }> | undefined {
  if (typeof labels !== "object" || labels === null) return undefined;
  const settings: LabelSettings = { hosts: [], backend: {}, server: {} };
  const raw = ownField(labels, `${label}.path`);
  if (raw !== undefined) {
    const parsed = typeof raw === "string" ? parseValue(LABEL_OPTIONS.path.type, raw) : undefined;
    if (!parsed?.ok) return undefined;
    LABEL_OPTIONS.path.apply(parsed.value, settings);
  } else if (Object.keys(labels).some((key) => misspeltPath(key, label))) return undefined;
  const hosts = ownField(labels, `${label}.hosts`);
  const claims = typeof hosts === "string" ? parseValue(LABEL_OPTIONS.hosts.type, hosts) : undefined;
  if (claims?.ok) LABEL_OPTIONS.hosts.apply(claims.value, settings);
  if (settings.path === undefined && settings.hosts.length === 0) return undefined;
  settings.backend.https = "only";
  return { settings, warnings: [] };
}

// True when `key` is a misspelt `<label>.path` (`<label>.pth`, `<label>.PATH`).
function misspeltPath(key: string, label: string): boolean {
  return key.startsWith(`${label}.`) && misspeltOption(key.slice(label.length + 1)) === "path";
}

// True when `labels` is an object with an own key starting with `prefix` (only those can be options).
function hasOptionLabel(labels: unknown, prefix: string): boolean {
  if (typeof labels !== "object" || labels === null || Array.isArray(labels)) return false;
  for (const key in labels) if (key.startsWith(prefix) && Object.hasOwn(labels, key)) return true;
  return false;
}
