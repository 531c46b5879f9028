// docs/observability.md's two metric tables name exactly the metrics each program's registry exports
// (besides prom-client's default process_* and nodejs_* ones): this fails when a metric is added, renamed
// or removed without its row, or a row names one no registry has.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createConnectionDrops, MAX_ANSWER_BYTES_IN_FLIGHT } from "@rancher-haproxy/core";
import { createGeneratorMetrics, createStatusState } from "@rancher-haproxy/generate-maps";
import { ReloaderStatus } from "../packages/reloader/src/state/reloader-status.ts";
import { registerCertificateMetrics } from "../packages/reloader/src/certs/status/register-certificate-metrics.ts";
import { createReloaderMetrics } from "../packages/reloader/src/status/reloader-metrics.ts";
import { ROOT } from "./helpers/deploy-files.ts";

// The names a registry exports, but the default metrics.
function exported(registry: { getMetricsAsArray(): { name: string }[] }): string[] {
  return registry
    .getMetricsAsArray()
    .map((metric) => metric.name)
    .filter((name) => !/^(process|nodejs)_/.test(name))
    .sort();
}

// The metric names of the first cells of the table under the heading `heading` (`#### GET /metrics ...`)
// that follows the line `after` (the program's `### ` heading).
function documented(after: string): string[] {
  const text = readFileSync(join(ROOT, "docs/observability.md"), "utf8");
  const start = text.indexOf(`\n${after}\n`);
  assert.notEqual(start, -1, after);
  const metrics = text.indexOf("\n#### `GET /metrics`", start);
  const lines = text.slice(metrics).split("\n");
  const first = lines.findIndex((line) => line.startsWith("|"));
  const end = lines.findIndex((line, index) => index > first && !line.startsWith("|"));
  return lines
    .slice(first + 2, end)
    .map((row) => /^\| `([a-z_]+)` \|/.exec(row)?.[1] ?? `unreadable row: ${row.slice(0, 60)}`)
    .sort();
}

test("docs/observability.md lists exactly generate-maps' metrics", () => {
  const metrics = createGeneratorMetrics(createStatusState(0), () => 0, createConnectionDrops());
  const names = exported(metrics.registry);
  assert.ok(names.length > 20, `found ${names.length}`);
  assert.deepEqual(documented("### generate-maps (`:9101`)"), names);
});

test("docs/observability.md lists exactly the reloader's metrics (the certificates' with ENABLE_SSL)", () => {
  const registry = createReloaderMetrics(
    new ReloaderStatus(),
    () => Promise.reject(new Error("not scraped")),
    () => 0,
    createConnectionDrops(),
  );
  registerCertificateMetrics(registry, { snapshot: () => assert.fail("not scraped") });
  const names = exported(registry);
  assert.ok(names.length > 20, `found ${names.length}`);
  assert.deepEqual(documented("### reloader (`:9102`)"), names);
});

// The busy counters' help named 256 MiB as a fixed text (c1a4d46): it and the docs name the budget the
// status listeners run with (MAX_ANSWER_BYTES_IN_FLIGHT, which neither program changes).
test("both programs' *_status_busy_total help and docs/observability.md name the listeners' large-answer budget", async () => {
  const budget = `budget of ${MAX_ANSWER_BYTES_IN_FLIGHT / (1024 * 1024)} MiB`;
  const generator = createGeneratorMetrics(createStatusState(0), () => 0, createConnectionDrops()).registry;
  const reloader = createReloaderMetrics(
    new ReloaderStatus(),
    () => Promise.reject(new Error("not scraped")),
    () => 0,
    createConnectionDrops(),
  );
  for (const [registry, name] of [
    [generator, "generate_maps_status_busy_total"],
    [reloader, "reloader_status_busy_total"],
  ] as const) {
    const help = (await registry.getSingleMetric(name)?.get())?.help;
    assert.ok(help?.includes(budget), `${name}: ${help}`);
  }
  const text = readFileSync(join(ROOT, "docs/observability.md"), "utf8");
  const row = text.split("\n").find((line) => line.startsWith("| `generate_maps_status_busy_total` |"));
  assert.ok(row?.includes(`large-answer ${budget}`), row);
});
