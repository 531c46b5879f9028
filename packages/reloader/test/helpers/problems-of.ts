// The option problems resolveOptions reports for an environment and flags (none: []), for the tests of
// the reloader's options; anything but an OptionsError is rethrown.
import { OptionsError } from "@rancher-haproxy/core";
import { resolveOptions } from "../../src/options/resolve-options.ts";

// The problems, each one line naming the flag or variable and the value.
export function problemsOf(env: NodeJS.ProcessEnv, flags: Record<string, string> = {}): string[] {
  try {
    resolveOptions(flags, env);
  } catch (error) {
    if (error instanceof OptionsError) return [...error.problems];
    throw error;
  }
  return [];
}
