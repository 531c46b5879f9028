// A bad command line or environment: each problem names the flag or variable and the bad value (never a
// secret); the message is one line, which the program's cli.ts prints before exiting 2.
export class OptionsError extends Error {
  override readonly name = "OptionsError";
  readonly problems: readonly string[];
  constructor(problems: string | readonly string[]) {
    const list = (typeof problems === "string" ? [problems] : problems).map((p) =>
      p.replace(/\s*\n\s*/g, " "),
    );
    super(list.join("; "));
    this.problems = list;
  }
}
