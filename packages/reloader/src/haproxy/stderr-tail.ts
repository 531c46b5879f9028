// The last lines of HAProxy's error output a first start keeps for its failure message.

// How many of HAProxy's last stderr lines a first start keeps for its failure message.
const START_STDERR_LINES = 1000;

// Kept only while the start is undecided, the last START_STDERR_LINES: the master keeps this pipe for its
// whole life (each reload's notices and warnings, a line per proxy).
export class StderrTail {
  readonly lines: string[] = [];
  private keep = true;

  // One line of HAProxy's stderr: kept while the start is undecided, the oldest dropped past the limit.
  push(line: string): void {
    if (this.keep && this.lines.push(line) > START_STDERR_LINES) this.lines.shift();
  }

  // The start is confirmed: later lines are not kept.
  stop(): void {
    this.keep = false;
  }
}
