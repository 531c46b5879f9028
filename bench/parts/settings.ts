// What every part runs with: quick (development-sized) or full, and where progress lines go.

// Settings passed to each part.
export interface PartSettings {
  quick: boolean;
  /** wrk when installed, else null (the parts use the Node client) */
  wrk: string | null;
  progress(line: string): void;
}
