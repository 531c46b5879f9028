// The benchmark report never shows a figure it did not measure: a CPU difference beyond a start-up
// baseline at or below the baseline's run-to-run spread (or, in old results without a spread, at or below
// 0) is shown as not measured, and so is every ratio built on it. Checked on the committed latest run and
// on synthetic results (an old one with the --help baseline, a new one with spreads). Part 4's headline is
// the ratio of medians in old results and the median of the per-pair ratios, with its spread, in new ones.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { repoPath } from "@rancher-haproxy/test-support";
import { renderMarkdown, type BenchResults } from "../bench/lib/render-markdown.ts";
import type { ScaleRow } from "../bench/parts/generator-scale.ts";

const LATEST = repoPath("bench", "results", "latest.json");

// The rows of part 1's size table, cell by cell (up to the small-environment table or part 2).
function scaleCells(markdown: string): string[][] {
  const start = markdown.indexOf("**1. Generator scale**");
  const ends = ["**Small-environment", "**2."].map((m) => markdown.indexOf(m, start)).filter((i) => i > 0);
  const part = markdown.slice(start, ends.length > 0 ? Math.min(...ends) : undefined);
  return part
    .split("\n")
    .filter((line) => /^\| \d/.test(line))
    .map((line) =>
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

test("the committed latest run renders no negative or unmeasured figure in the generator table", () => {
  const results = JSON.parse(readFileSync(LATEST, "utf8")) as BenchResults;
  const markdown = renderMarkdown(results);
  const rows = scaleCells(markdown);
  assert.equal(rows.length, results.parts.generatorScale?.rows.length);
  const spread = results.parts.generatorScale?.startup.generateMapsSpreadMs;
  for (const row of rows) {
    for (const cell of row) assert.doesNotMatch(cell, /^-\d/, `a negative figure in | ${row.join(" | ")} |`);
    const [beyond = "", floor = "", ratio = ""] = [row[4], row[5], row[6]];
    // A figure within its baseline's spread (or below an old --help baseline) gets no ratio; a shown
    // figure is above the spread, and its ratio is the one of the two shown figures.
    if (!/^\d+$/.test(beyond) || !/^\d+$/.test(floor)) assert.equal(ratio, "n/a", row.join(" | "));
    else {
      if (spread !== undefined)
        assert.ok(Number(beyond) > spread, `${beyond} ms is above the spread ${spread}`);
      // The cells are whole ms, rounded from the figures the ratio was taken of (to 2 decimals): at small
      // figures (99 / 28 ms) rounding alone moves the quotient of the cells by more than 0.05.
      const [b, f] = [Number(beyond), Number(floor)];
      const [low, high] = [(b - 0.5) / (f + 0.5) - 0.005, (b + 0.5) / (f - 0.5) + 0.005];
      assert.ok(Number(ratio) >= low && Number(ratio) <= high, row.join(" | "));
    }
  }
});

test("an old result (--help baseline, no spread) shows no figure at or below 0, and says why", () => {
  const latest = JSON.parse(readFileSync(LATEST, "utf8")) as BenchResults;
  const row = (containers: number, beyond: number, floor: number) => ({
    ...(latest.parts.generatorScale?.rows[0] as ScaleRow),
    containers,
    cycleCpuBeyondStartupMs: beyond,
    floorCpuBeyondStartupMs: floor,
    cpuOverFloor: Number((beyond / floor).toFixed(2)),
  });
  const markdown = renderMarkdown({
    ...latest,
    parts: {
      generatorScale: {
        startup: { bareNodeCpuMs: 36, generateMapsCpuMs: 453, generateMapsRssMb: 60 },
        rows: [row(100, -40, 5), row(10_000, 256, 155)],
        growth50kOver10k: null,
      },
    },
  } as BenchResults);
  const rows = scaleCells(markdown);
  assert.deepEqual(
    rows.map((cells) => [cells[0], cells[4], cells[6]]),
    [
      ["100", "n/a", "n/a"],
      ["10000", "256", "1.65"],
    ],
  );
  assert.match(markdown, /renders the help text/);
});

test("a difference within the baseline's spread is shown as such, with no ratio; above it, the figures", () => {
  const row = (containers: number, beyond: number, floor: number): ScaleRow => ({
    containers,
    runs: 5,
    containersBodyMb: 1,
    cycleWallMs: 400,
    cycleInProcessMs: 40,
    cycleCpuMs: 500 + beyond,
    cycleCpuBeyondStartupMs: beyond,
    peakRssMb: 70,
    peakRssMaxMb: 71,
    bytesWritten: 1000,
    unchangedWallMs: 300,
    unchangedInProcessMs: 30,
    unchangedCpuBeyondStartupMs: beyond,
    unchangedWroteNothing: true,
    floorCpuBeyondStartupMs: floor,
    floorPeakRssMb: 50,
    cpuOverFloor: Number((beyond / floor).toFixed(2)),
  });
  const results: BenchResults = {
    date: "2026-12-01T00:00:00.000Z",
    quick: false,
    durationS: 1,
    machine: JSON.parse(readFileSync(LATEST, "utf8")).machine as BenchResults["machine"],
    parts: {
      generatorScale: {
        startup: {
          bareNodeCpuMs: 40,
          bareNodeSpreadMs: 4,
          generateMapsCpuMs: 500,
          generateMapsSpreadMs: 30,
          generateMapsRssMb: 60,
          baseline: "the baseline",
        },
        rows: [row(100, -12, 5), row(1000, 25, 20), row(10_000, 300, 150), row(50_000, 1600, 800)],
        growth50kOver10k: 5.33,
      },
    },
    errors: {},
  };
  const markdown = renderMarkdown(results);
  const rows = scaleCells(markdown);
  assert.deepEqual(
    rows.map((cells) => [cells[0], cells[4], cells[5], cells[6]]),
    [
      ["100", "≤ 30 (spread)", "5", "n/a"],
      ["1000", "≤ 30 (spread)", "20", "n/a"],
      ["10000", "300", "150", "2"],
      ["50000", "1600", "800", "2"],
    ],
  );
  assert.match(markdown, /At 100 and 1000 containers the CPU beyond start-up is within/);
  assert.match(markdown, /Growth 50 000 \/ 10 000 \(CPU beyond start-up\): 5\.33 /);
  assert.match(markdown, /the CPU of the baseline \(500 ms, spread 30 ms\)/);

  // Rows with their own baselines (run alongside each size's runs) name them in the heading.
  const scale = results.parts.generatorScale;
  assert.ok(scale);
  const perRow = renderMarkdown({
    ...results,
    parts: {
      generatorScale: {
        ...scale,
        rows: scale.rows.map((r, i) => ({ ...r, startupCpuMs: 600 + i, bareNodeCpuMs: 80 + i })),
      },
    },
  });
  assert.match(
    perRow,
    /the median CPU of the baseline, run alongside each size's runs \(100: 600 ms, 1000: 601 ms, 10000: 602 ms, 50000: 603 ms; at the part's start 500 ms, spread 30 ms\)/,
  );
  assert.match(
    perRow,
    /beyond a bare node start-up run alongside \(100: 80 ms, 1000: 81 ms, 10000: 82 ms, 50000: 83 ms\)/,
  );
  assert.deepEqual(scaleCells(perRow), rows);
});

test("the small-environment cycle renders under part 1 when measured, and an older run without it still renders", () => {
  const latest = JSON.parse(readFileSync(LATEST, "utf8")) as BenchResults;
  const scale = latest.parts.generatorScale;
  assert.ok(scale);
  const without = renderMarkdown({
    ...latest,
    parts: { generatorScale: { ...scale, smallCycle: undefined } },
  });
  assert.doesNotMatch(without, /Small-environment cycle/);
  assert.equal(scaleCells(without).length, scale.rows.length);
  const summary = (p50: number, p90: number, max: number) => ({ n: 30, p50, p90, p99: max, max });
  const markdown = renderMarkdown({
    ...latest,
    parts: {
      generatorScale: {
        ...scale,
        smallCycle: {
          containers: 20,
          changes: 30,
          cycleMs: summary(9, 14, 30),
          changeToRenamedMs: summary(8.5, 13.2, 29.9),
          cpuMs: null,
          idleCpuMsPerS: null,
          floor: {
            changes: 15,
            cycleMs: summary(3, 4, 5),
            changeToRenamedMs: summary(4.5, 5.5, 6),
            cpuMs: summary(2.5, 3, 3.5),
            idleCpuMsPerS: 0.5,
          },
          large: {
            containers: 10000,
            generator: {
              changes: 8,
              cycleMs: summary(400, 450, 500),
              changeToRenamedMs: summary(420, 470, 520),
              cpuMs: summary(500, 560, 600),
              idleCpuMsPerS: 9,
            },
            floor: {
              changes: 5,
              cycleMs: summary(300, 320, 330),
              changeToRenamedMs: summary(310, 330, 340),
              cpuMs: summary(380, 400, 410),
              idleCpuMsPerS: 0.5,
            },
          },
          method: "m",
        },
      },
    },
  });
  assert.match(
    markdown,
    /\| generate-maps, 10000 containers \| 8 \| 400 \/ 450 \/ 500 \| 420 \/ 470 \/ 520 \| 500 \/ 560 \/ 600 \| 9 \|/,
  );
  assert.match(markdown, /\| floor, 10000 containers \| 5 \| 300 \/ 320 \/ 330 \|/);
  const at10k = scale.rows.find((row) => row.containers === 10000);
  assert.ok(at10k);
  assert.ok(
    markdown.includes(
      `At 10000 containers a change costs the running generator 500 ms of CPU (p50; its first, cold cycle ` +
        `ran before the series): ${(500 / at10k.floorCpuBeyondStartupMs).toFixed(2)} × the fetch-and-parse floor`,
    ),
  );
  assert.doesNotMatch(without, /a change costs the running generator/);
  assert.match(markdown, /\*\*Small-environment cycle \(loop mode\)\*\*/);
  assert.match(
    markdown,
    /\| generate-maps \| 30 \| 9 \/ 14 \/ 30 \| 8\.5 \/ 13\.2 \/ 29\.9 \| n\/a \| n\/a \|/,
  );
  assert.match(
    markdown,
    /\| floor: [^|]+ \| 15 \| 3 \/ 4 \/ 5 \| 4\.5 \/ 5\.5 \/ 6 \| 2\.5 \/ 3 \/ 3\.5 \| 0\.5 \|/,
  );
  assert.equal(scaleCells(markdown).length, scale.rows.length);
});

// The cells of part 4's table row whose first cell starts with `generator`.
function lookupRow(markdown: string, generator: string): string[] {
  const part = markdown.slice(markdown.indexOf("**4. Routing cost"), markdown.indexOf("**5."));
  const line = part.split("\n").find((row) => row.startsWith(`| ${generator}`)) ?? "";
  return line
    .split("|")
    .slice(1, -1)
    .map((cell) => cell.trim());
}

test("part 4: a result without pairs shows the ratio of medians as the headline, one with pairs their median", () => {
  const latest = JSON.parse(readFileSync(LATEST, "utf8")) as BenchResults;
  const old = latest.parts.lookupCost;
  assert.ok(old?.wrk, "the committed run has part 4 with wrk");
  const oldMarkdown = renderMarkdown({
    ...latest,
    parts: { lookupCost: { ...old, wrk: { ...old.wrk, pairs: undefined } } },
  });
  assert.equal(lookupRow(oldMarkdown, "wrk")[3], String(old.wrk.oursOverOneHost));
  assert.doesNotMatch(oldMarkdown, /per-pair ratios/);

  const pairs = {
    count: 11,
    seconds: 2,
    rps: { n: 11, median: 0.97, p25: 0.95, p75: 1, min: 0.9, max: 1.1 },
    cpuPerRequest: { n: 11, median: 1.02, p25: 1, p75: 1.05, min: 0.9, max: 1.1 },
  };
  const markdown = renderMarkdown({
    ...latest,
    parts: {
      lookupCost: { ...old, rounds: 3, wrkSeconds: 2, wrk: { ...old.wrk, oursOverOneHost: 1.05, pairs } },
    },
  });
  const row = lookupRow(markdown, "wrk");
  assert.equal(row[0], "wrk -t1 -c16, 2 s × 11 pairs, the others × 3");
  assert.equal(row[3], "0.97 (pairs' median)");
  assert.match(
    markdown,
    /median of 11 per-pair ratios .* req\/s \*\*0\.97\*\* \(interquartile 0\.95–1, range 0\.9–1\.1\); ratio of the medians 1\.05\./,
  );
  assert.match(
    markdown,
    /CPU per request, 5000 \/ 1 per pair: \*\*1\.02\*\* \(interquartile 1–1\.05, range 0\.9–1\.1\)\./,
  );
});
