// The pair for the root fault tests: test-support's startPair on a stand-in that answers long polls
// quickly, with generate-maps refetching every second and no removal guard. Torn down by t.after.
import type { TestContext } from "node:test";
import {
  buildTree,
  startMetadataServer,
  startPair,
  type Pair,
  type TreeSpec,
} from "../../packages/test-support/src/index.ts";

// Start the stand-in on `spec`, then the pair; resolves once HAProxy runs generate-maps' first files.
export async function startFaultsPair(t: TestContext, spec: TreeSpec): Promise<Pair> {
  const metadata = await startMetadataServer({ tree: buildTree(spec), longPollTickMs: 100 });
  let pair: Pair | null = null;
  t.after(async () => {
    await pair?.stop();
    await metadata.close();
  });
  pair = await startPair({
    domain: "dev.tld",
    metadata,
    generateMapsEnv: { POLL_INTERVAL: "1", REMOVAL_CONFIRM_SECONDS: "0", LOG_LEVEL: "debug" },
    reloaderEnv: { RELOADER_DEBOUNCE_MS: "100", RELOADER_RESCAN_INTERVAL: "2s" },
  });
  return pair;
}
