// Convergence times (a tree change at the stand-in → the first expected answer through HAProxy): collected
// per test file and printed with p50 and max. Measured and shown, never asserted.

// Samples of one kind of change.
export class Convergence {
  private readonly samples: { label: string; ms: number }[] = [];

  constructor(private readonly name: string) {}

  // Records one sample.
  add(label: string, ms: number): void {
    this.samples.push({ label, ms });
  }

  // "convergence <name>: n=4 p50 412 ms max 655 ms (appear 412, …)".
  summary(): string {
    const sorted = this.samples.map((sample) => sample.ms).sort((a, b) => a - b);
    const p50 = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
    const max = sorted.at(-1) ?? 0;
    const each = this.samples.map((sample) => `${sample.label} ${sample.ms}`).join(", ");
    return `convergence ${this.name}: n=${sorted.length} p50 ${p50} ms max ${max} ms (${each})`;
  }

  // Prints the summary (console.log: the suite's output shows it).
  print(): void {
    console.log(this.summary());
  }
}
