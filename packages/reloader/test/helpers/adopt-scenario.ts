// The steps the adoption tests share: a reloader started on a stand-in haproxy until app.dev.tld routes
// (its master's pid and the snapshot `current` names), and the change they make while the master is set
// to refuse its next re-execution: a second stack `web` at www.dev.tld.
import { readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { waitFor } from "../../../test-support/src/haproxy/index.ts";
import { appFixture } from "./app-fixture.ts";
import type { Fixture } from "./fixture.ts";
import { killIfHaproxy, reexecHaproxy } from "./reexec-haproxy.ts";
import { routesTo } from "./routes-to.ts";
import { appAndWebFiles } from "./app-and-web-files.ts";

// The adoption tests' start: stacks `app` and `web` at `addresses`, a stand-in haproxy that can be made to
// refuse a re-execution (`reexec`: its options), and the reloader on it serving app.dev.tld.
export async function startRefusingScenario(
  t: Parameters<typeof appFixture>[0],
  addresses: [string, string],
  reexec: Parameters<typeof reexecHaproxy>[1] = {},
) {
  const { app, other: web, fixture } = await appFixture(t, addresses, { deferStart: true }, "web");
  const stand = await reexecHaproxy(fixture.dir, { ...reexec, addBad: true });
  const serving = await startServingApp(t, fixture, ["--haproxy-bin", stand.bin]);
  return {
    app,
    web,
    fixture,
    stand,
    first: serving.reloader,
    masterPid: serving.masterPid,
    running: serving.running,
  };
}

// Starts the fixture's reloader with `args` and waits for app.dev.tld; the master is killed after the test.
export async function startServingApp(
  t: { after(fn: () => unknown): void },
  fixture: Fixture,
  args: readonly string[],
) {
  const reloader = await fixture.start(args);
  const masterPid = Number((await reloader.waitForEvent("haproxy.ready"))["pid"]);
  t.after(() => killIfHaproxy(masterPid));
  await waitFor(routesTo(fixture.url, "app.dev.tld", "app"), { timeoutMs: 5000, message: "app routed" });
  return { reloader, masterPid, running: await readlink(join(fixture.stateDir, "current")) };
}

// Makes the master refuse its next re-execution (`bad` gets a bad line, `flag` exists), then adds stack
// `web` beside `app` in the files.
export async function refuseThenAddWeb(
  fixture: Fixture,
  stand: { flag: string; bad: string },
  servers: { app: string; web: string },
): Promise<void> {
  await writeFile(stand.bad, "frontend rh_bad\n    bogus-keyword\n");
  await writeFile(stand.flag, "");
  await fixture.write(appAndWebFiles(servers.app, servers.web));
}
