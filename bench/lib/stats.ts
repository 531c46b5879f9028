// Order statistics for benchmark samples: medians and percentiles, never a single run.

// The q-quantile (0..1) of the samples, nearest-rank; NaN when there are none.
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

// The median (upper median for an even count, so it is always an observed value).
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

// p50/p90/p99/max of a sample list, rounded to `digits` decimals.
export function summarize(samples: readonly number[], digits = 1): Summary {
  const round = (value: number) => Number(value.toFixed(digits));
  return {
    n: samples.length,
    p50: round(quantile(samples, 0.5)),
    p90: round(quantile(samples, 0.9)),
    p99: round(quantile(samples, 0.99)),
    max: round(Math.max(...samples)),
  };
}

// What summarize returns.
export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

// a / b rounded to 2 decimals (NaN-safe for the table).
export function ratio(a: number, b: number): number {
  return b === 0 || !Number.isFinite(a) || !Number.isFinite(b) ? Number.NaN : Number((a / b).toFixed(2));
}

// The median, quartiles and range of a sample list (nearest-rank), rounded to 2 decimals: for per-pair
// ratios, whose spread says whether the machine measured an effect at all.
export function spreadOf(samples: readonly number[]): Spread {
  const round = (value: number) => Number(value.toFixed(2));
  return {
    n: samples.length,
    median: round(median(samples)),
    p25: round(quantile(samples, 0.25)),
    p75: round(quantile(samples, 0.75)),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
  };
}

// What spreadOf returns.
export interface Spread {
  n: number;
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
}
