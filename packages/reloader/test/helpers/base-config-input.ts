// The smallest base-config input the tests render (plain HTTP, logs to stdout, the admin socket in
// `dir`), with `overrides`.
import { join } from "node:path";
import type { BaseConfigInput } from "../../src/render/base-config-input.ts";

export function baseConfigInput(dir: string, overrides: Partial<BaseConfigInput> = {}): BaseConfigInput {
  return {
    bindAddress: "",
    httpPort: 80,
    https: null,
    stats: null,
    log: { kind: "stdout" },
    facility: "daemon",
    adminSocket: join(dir, "admin.sock"),
    hardStopAfterMs: 30_000,
    ...overrides,
  };
}
