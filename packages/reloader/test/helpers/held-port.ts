// A loopback port a plain listener (no SO_REUSEPORT) holds, so a frontend on it passes `haproxy -c` and
// every reload that binds it fails, until `release()`. Closed after the test when still held.
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import type { TestContext } from "node:test";

export interface HeldPort {
  port: number;
  release(): Promise<void>;
}

// Holds a free port of 127.0.0.1 for the rest of test `t` (or until released).
export async function holdPort(t: TestContext): Promise<HeldPort> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  let held = true;
  const release = () => {
    if (!held) return Promise.resolve();
    held = false;
    return new Promise<void>((resolve) => blocker.close(() => resolve()));
  };
  t.after(release);
  return { port: (blocker.address() as AddressInfo).port, release };
}
