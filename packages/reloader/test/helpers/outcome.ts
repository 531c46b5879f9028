import { waitFor } from "../../../test-support/src/haproxy/index.ts";
import type { Fixture } from "./fixture.ts";

// The first of `events` the reloader logged from log index `from` on (waited for): which way a step went.
export async function outcome(fixture: Fixture, from: number, events: readonly string[]): Promise<string> {
  let found: string | undefined;
  await waitFor(
    () => {
      found = fixture.reloader.logs
        .slice(from)
        .map((entry) => String(entry["event"]))
        .find((event) => events.includes(event));
      return found !== undefined;
    },
    { timeoutMs: 20_000, message: `one of ${events.join(", ")}` },
  );
  return found!;
}
