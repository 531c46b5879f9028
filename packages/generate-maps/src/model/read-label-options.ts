// A container's routing option labels `<label>.<option>` read through the registry (core's
// LABEL_OPTIONS): the settings they amount to, a warning per value that fell back to its default, or
// the reason the container must not be routed (an invalid value of a "skip" option). Pure and total.
import { LABEL_OPTIONS, parseValue, type LabelOptionRow, type LabelSettings } from "@rancher-haproxy/core";
import { describeValue } from "./describe-value.js";
import { ownField } from "./own-field.js";

// The outcome for one container.
export type LabelReading = { settings: LabelSettings; warnings: string[] } | { skip: string };

// Reads every option of the registry, in its order (path before strip-path), from `labels`.
export function readLabelOptions(labels: unknown, label: string): LabelReading {
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
  return { settings, warnings };
}
