// The demo's HTTP port, when the user picks it and something already listens there: the refusal names
// what the user set (--http-port or DEMO_HTTP_PORT), not always the flag.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { parseDemoOptions } from "../demo/demo-options.ts";
import { startDemo } from "../demo/start-demo.ts";

test("a taken DEMO_HTTP_PORT is refused naming DEMO_HTTP_PORT, a taken --http-port naming the flag", async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const port = String((server.address() as { port: number }).port);

  const fromEnv = parseDemoOptions([], { DEMO_HTTP_PORT: port });
  await assert.rejects(startDemo(fromEnv), (error: Error) => {
    assert.match(error.message, new RegExp(`^DEMO_HTTP_PORT ${port}: something already listens`));
    return true;
  });
  const fromFlag = parseDemoOptions(["--http-port", port], { DEMO_HTTP_PORT: "1" });
  await assert.rejects(startDemo(fromFlag), (error: Error) => {
    assert.match(error.message, new RegExp(`^--http-port ${port}: something already listens`));
    return true;
  });
});
