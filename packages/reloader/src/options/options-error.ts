// A bad flag or environment variable: the message names it and the bad value (never a secret).
export class OptionsError extends Error {
  override readonly name = "OptionsError";
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
  }
}
