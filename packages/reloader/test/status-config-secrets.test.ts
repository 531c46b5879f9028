// /config (open to the network unless STATUS_TOKEN is set) and the log lines that quote config lines mask
// a credential whatever way HAProxy lets a user's own config spell it: `stats<TAB>auth`, a quoted value
// with a space, a backslash-escaped space. Before, only the first whitespace-free piece after a single
// space was masked: `insecure-password "two words"` showed `[redacted] words"` (found by a review).
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { test } from "node:test";
import { freePort } from "../../test-support/src/haproxy/index.ts";
import { readStatus } from "../../test-support/src/status/index.ts";
import { maskSecrets, redactConfig } from "../src/index.ts";
import { userConfigFixture, userConfigLines } from "./helpers/user-config.ts";

const SECRETS = ["tab-s3cret", "quoted s3cret", "esc\\ s3cret", "two words", "single s3cret"];

// A user's stats section: each credential spelled another valid way.
function statsSection(port: number): string[] {
  return [
    "userlist rh_users",
    '    user ops insecure-password "two words"',
    "    user ops2 insecure-password 'single s3cret'",
    "listen mine_stats",
    `    bind 127.0.0.1:${port}`,
    "    stats enable",
    "    stats\tauth ops:tab-s3cret",
    '    stats auth "ops2:quoted s3cret"',
    "    stats  auth ops3:esc\\ s3cret",
  ];
}

test("maskSecrets masks quoted, escaped and tab-separated credentials whole, and nothing after them", () => {
  const shown = redactConfig(statsSection(1936).join("\n"));
  for (const secret of SECRETS) assert.ok(!shown.includes(secret.split(" ").pop()!), `${secret}: ${shown}`);
  assert.match(shown, /user ops insecure-password \[redacted\]\n/);
  assert.match(shown, /stats\tauth \[redacted\]\n/);
  assert.match(shown, /stats {2}auth \[redacted\]$/);
  // What follows the credential on its line stays, and a line never runs into the next one.
  assert.equal(
    maskSecrets("user a insecure-password x groups admins"),
    "user a insecure-password [redacted] groups admins",
  );
  assert.equal(
    maskSecrets('user a insecure-password "unterminated\nbind :80'),
    "user a insecure-password [redacted]\nbind :80",
  );
});

test("/config of a user's own base config shows none of its stats credentials", async (t) => {
  const { fixture, userConfig } = await userConfigFixture(t, "127.0.0.74");
  const lines = userConfigLines(fixture.httpPort, [], statsSection(await freePort()));
  await writeFile(userConfig, lines.join("\n"));
  await fixture.start(["--config", userConfig, "--status-port", "0"]);
  const url = String((await fixture.reloader.waitForEvent("status.listening", { timeoutMs: 20_000 }))["url"]);

  const config = await readStatus(url, "/config?file=haproxy.cfg");
  assert.equal(config.status, 200);
  assert.match(config.body, /listen mine_stats/);
  for (const secret of SECRETS)
    assert.ok(!config.body.includes(secret.split(" ").pop()!), `/config shows ${secret}:\n${config.body}`);
  for (const answer of [await readStatus(url, "/config"), await readStatus(url, "/config?format=json")])
    assert.ok(!/s3cret|words/.test(answer.body), "no credential in the whole /config either");
});
