// Prometheus text exposition read back into samples, so tests can assert metric values.

// One sample line: `name{label="value",...} 12.5`.
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

// Every sample of the text (comments and blank lines skipped).
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? "").matchAll(LABEL))
      labels[label[1] ?? ""] = (label[2] ?? "").replace(/\\(.)/g, (_all, c: string) =>
        c === "n" ? "\n" : c,
      );
    samples.push({ name: match[1] ?? "", labels, value: Number(match[3]) });
  }
  return samples;
}

// The value of the one sample named `name` whose labels include `labels`; undefined when there is none.
export function metricValue(
  samples: readonly MetricSample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const found = samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1)
    throw new Error(`${name}${JSON.stringify(labels)} matches ${found.length} samples: give more labels`);
  return found[0]?.value;
}

// GET /metrics of a status listener and parse it.
export async function scrapeMetrics(baseUrl: string): Promise<MetricSample[]> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return parseMetrics(await response.text());
}
