// A container sharing another's network (`net: container:<primary>`): metadata gives it no primary_ip and
// its network owner's uuid in network_from_container_uuid; it is routed at the owner's address, wherever
// the owner is in the list. Unresolved, it is skipped as no-ip with a reason naming the uuid.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildRoutingTable } from "../src/index.js";
import { container, MODEL_OPTIONS } from "./helpers.js";

const PRIMARY_UUID = "0a0a0a0a-0000-4000-8000-000000000001";
const primary = container({
  name: "shop-web-1",
  uuid: PRIMARY_UUID,
  primary_ip: "127.0.0.51",
  labels: {},
});
const sidekick = (overrides: Record<string, unknown> = {}) =>
  container({
    name: "shop-web-nginx-1",
    uuid: "0b0b0b0b-0000-4000-8000-000000000002",
    service_name: "nginx",
    primary_ip: null,
    network_from_container_uuid: PRIMARY_UUID,
    labels: { "map-public-http": "8080" },
    ...overrides,
  });

const route = (containers: unknown[]) => buildRoutingTable({ containers, aliases: {} }, MODEL_OPTIONS);
const servers = (table: ReturnType<typeof route>) =>
  table.backends.flatMap((b) => b.servers.map((s) => `${b.name} ${s.name} ${s.address}:${s.port}`));

test("a labelled sidekick on its primary's network is routed at the primary's address, before or after it", () => {
  const expected = ["shop nginx-0b0b0b0b-0000-4000-8000-000000000002 127.0.0.51:8080"];
  assert.deepEqual(servers(route([primary, sidekick()])), expected);
  assert.deepEqual(servers(route([sidekick(), primary])), expected, "the owner listed after it");
  assert.deepEqual(servers(route([sidekick({ primary_ip: "" }), primary])), expected, "an empty primary_ip");
  const upper = sidekick({ network_from_container_uuid: PRIMARY_UUID.toUpperCase() });
  assert.deepEqual(servers(route([upper, primary])), expected, "uuids compare lower-cased");
  assert.deepEqual(route([primary, sidekick()]).skipped, []);
});

test("its own checks still hold: stopped, or at an owner address outside BACKEND_NETWORKS, it is skipped", () => {
  const stopped = route([primary, sidekick({ state: "stopped" })]);
  assert.deepEqual(
    stopped.skipped.map((s) => s.code),
    ["not-running"],
  );
  const outside = route([{ ...primary, primary_ip: "192.0.2.7" }, sidekick()]);
  assert.deepEqual(
    outside.skipped.map((s) => s.code),
    ["ip-not-allowed"],
  );
});

test("an owner that is not listed, or has no address, leaves it skipped as no-ip, naming the uuid", () => {
  for (const list of [[sidekick()], [{ ...primary, primary_ip: null }, sidekick()]]) {
    const table = route(list);
    assert.deepEqual(servers(table), []);
    const skip = table.skipped.find((s) => s.container === "shop-web-nginx-1");
    assert.equal(skip?.code, "no-ip");
    assert.match(
      skip?.reason ?? "",
      new RegExp(`network_from_container_uuid "${PRIMARY_UUID}" names no container`),
    );
  }
});

test("a container with its own primary_ip keeps it; without network_from it is no-ip as before", () => {
  const own = route([primary, sidekick({ primary_ip: "127.0.0.52" })]);
  assert.deepEqual(servers(own), ["shop nginx-0b0b0b0b-0000-4000-8000-000000000002 127.0.0.52:8080"]);
  const plain = route([primary, sidekick({ network_from_container_uuid: null })]);
  assert.deepEqual(
    plain.skipped.map((s) => [s.code, s.reason]),
    [["no-ip", "no primary_ip"]],
  );
});

test("one container listed twice (Rancher 1.2-pre did so for network-from sidekicks) is one server, not a duplicate", () => {
  const table = route([primary, sidekick(), sidekick()]);
  assert.deepEqual(servers(table), ["shop nginx-0b0b0b0b-0000-4000-8000-000000000002 127.0.0.51:8080"]);
  assert.deepEqual(table.skipped, [], "not skipped against itself");
  // Two containers sharing a uuid but not an address are still a duplicate.
  const twin = route([primary, sidekick(), sidekick({ primary_ip: "127.0.0.53" })]);
  assert.deepEqual(
    twin.skipped.map((s) => s.code),
    ["duplicate-server"],
  );
});
