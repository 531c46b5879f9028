// The shared-file contract's name rules: every name, address and port goes through them before it may
// reach HAProxy's files (the generator's model) and when the files are read back (the reloader).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  isDnsLabel,
  isDnsName,
  isIPv4,
  isServerName,
  isServerToken,
  isUuidToken,
  isBackendName,
  isPathPrefix,
  LABEL_OPTIONS,
  MAX_SERVER_NAME_LENGTH,
  parsePort,
} from "../src/index.js";

const table = <T>(fn: (value: string) => T, cases: [string, T][]) => {
  for (const [value, expected] of cases)
    assert.equal(fn(value), expected, `${fn.name}(${JSON.stringify(value)})`);
};

test("isDnsLabel: lower-case RFC 1123 labels of 1-63 characters", () => {
  table(isDnsLabel, [
    ["app-r123", true],
    ["a", true],
    ["0", true],
    ["a".repeat(63), true],
    ["a".repeat(64), false],
    ["App", false],
    ["-a", false],
    ["a-", false],
    ["a_b", false],
    ["a.b", false],
    ["", false],
    ["a\n", false],
    ["é", false],
  ]);
});

test("isDnsName: one or more labels, at most 253 characters", () => {
  table(isDnsName, [
    ["dev.tld", true],
    ["www", true],
    ["a.b.c.d", true],
    [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`, true],
    [`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`, false],
    ["dev.tld.", false],
    [".dev.tld", false],
    ["a..b", false],
    ["*.dev.tld", false],
    ["dev tld", false],
    ["", false],
  ]);
});

test("isIPv4: dotted quads without leading zeros, not 0.0.0.0", () => {
  table(isIPv4, [
    ["10.42.10.11", true],
    ["127.0.0.1", true],
    ["255.255.255.255", true],
    ["0.0.0.0", false],
    ["256.1.1.1", false],
    ["1.1.1", false],
    ["1.1.1.1.1", false],
    ["01.1.1.1", false],
    ["1.1.1.1 ", false],
    ["::1", false],
    ["", false],
  ]);
});

test("parsePort: 1 to 5 digits, 1-65535", () => {
  table(parsePort, [
    ["80", 80],
    ["1", 1],
    ["65535", 65535],
    ["08080", 8080],
    ["0", undefined],
    ["65536", undefined],
    ["123456", undefined],
    ["+1", undefined],
    ["1e3", undefined],
    ["0x50", undefined],
    ["", undefined],
  ]);
});

test("isServerToken and isUuidToken", () => {
  table(isServerToken, [
    ["web", true],
    ["http-generate-maps", true],
    ["web_1.x", true],
    ["Web", false],
    ["web 1", false],
    ["_web", false],
    ["", false],
    ["a".repeat(64), false],
  ]);
  table(isUuidToken, [
    ["c0000123-0001-4000-8000-000000000001", true],
    ["abc", true],
    ["ABC", false],
    ["-abc", false],
    ["abc-", false],
    ["a--b", false],
    ["", false],
    ["a".repeat(65), false],
  ]);
});

test("isServerName: what the generator composes as <service>-<uuid>, at most 128 characters", () => {
  const longest = `${"s".repeat(63)}-${"a".repeat(64)}`;
  assert.equal(MAX_SERVER_NAME_LENGTH, 128);
  table(isServerName, [
    ["web-c0000123-0001-4000-8000-000000000001", true],
    ["s1", true],
    ["web_1.x-abc", true],
    [longest, isServerToken("s".repeat(63)) && isUuidToken("a".repeat(64))],
    [`${longest}a`, false],
    ["Web-abc", false],
    ["-web", false],
    ["web abc", false],
    ["web\tabc", false],
    ["", false],
  ]);
});

test("path prefixes, backend names and hosts labels: the length bounds keep the longest valid values", () => {
  const segment = "a".repeat(64);
  assert.equal(
    isPathPrefix(`/${segment}/${segment}/${segment}`),
    true,
    "the longest prefix (195 characters)",
  );
  assert.equal(isPathPrefix(`/${segment}/${segment}/${segment}x`), false);
  assert.equal(isPathPrefix("/".repeat(5_000_000)), false);
  const label = "b".repeat(63);
  assert.equal(isBackendName(`${label}.${label}`), true);
  assert.equal(isBackendName(".".repeat(5_000_000)), false);
  const hosts = (text: string) => LABEL_OPTIONS.hosts.type.check(text);
  assert.equal(hosts(Array.from({ length: 32 }, (_, i) => `h${i}.example`).join(","))?.length, 32);
  assert.equal(hosts(Array.from({ length: 33 }, (_, i) => `h${i}.example`).join(",")), undefined);
  assert.equal(hosts(",".repeat(5_000_000)), undefined);
});
