// A bad command line or environment: cli.ts prints the one-line message and exits 2.
export class OptionsError extends Error {
  override readonly name = "OptionsError";
}
