// A container sharing another's network (`net: container:<primary>`): metadata gives it no primary_ip and
// its network owner's uuid in network_from_container_uuid; it is routed at the owner's address, wherever
// the owner is in the list. Unresolved, it is skipped as no-ip with a reason naming the uuid.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildRoutingTable, renderBackends, renderDomainMap } from "../src/index.js";
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

// Found by a review: the addresses were keyed by lower-cased uuid and the last container listed won, so
// the same metadata in another order routed the sidekick to another container's address.
test("owners whose uuids are equal but for case, at different addresses: the sidekick is skipped as no-ip in every order", () => {
  const OPTIONS = { ...MODEL_OPTIONS, backendNetworks: ["10.42.0.0/16"] };
  const a = container({
    name: "a",
    uuid: "abcd-0001",
    primary_ip: "10.42.0.1",
    stack_name: "shop",
    labels: {},
  });
  const b = container({
    name: "b",
    uuid: "ABCD-0001",
    primary_ip: "10.42.0.2",
    stack_name: "other",
    labels: {},
  });
  const web = container({
    name: "web",
    uuid: "beef-0002",
    primary_ip: null,
    network_from_container_uuid: "abcd-0001",
  });
  const orders = [
    [a, b, web],
    [b, a, web],
    [web, a, b],
    [web, b, a],
  ];
  const files = orders.map((list) => {
    const table = buildRoutingTable({ containers: list, aliases: {} }, OPTIONS);
    return renderBackends(table) + renderDomainMap(table);
  });
  for (const [index, bytes] of files.entries()) assert.equal(bytes, files[0], `order ${index}`);
  assert.doesNotMatch(files[0] ?? "", /10\.42\.0\.[12]/, "no server line at either address");
  const table = buildRoutingTable({ containers: [a, b, web], aliases: {} }, OPTIONS);
  assert.deepEqual(
    table.skipped.map((s) => [s.container, s.code]),
    [["web", "no-ip"]],
  );
  assert.match(
    table.skipped[0]?.reason ?? "",
    /network_from_container_uuid "abcd-0001" names several containers with different addresses .*ambiguous/,
  );
});

test("owners of one uuid (any case) at the same address are no ambiguity: the sidekick is routed there", () => {
  const upper = { ...primary, name: "shop-web-1-again", uuid: PRIMARY_UUID.toUpperCase() };
  const expected = ["shop nginx-0b0b0b0b-0000-4000-8000-000000000002 127.0.0.51:8080"];
  assert.deepEqual(servers(route([primary, upper, sidekick()])), expected);
  assert.deepEqual(servers(route([upper, sidekick(), primary])), expected);
});

test("a network_from_container_uuid outside ASCII names no container (it could lower-case into another uuid)", () => {
  const kelvin = { ...primary, uuid: "k0" };
  const table = route([kelvin, sidekick({ network_from_container_uuid: "\u212A0" })]);
  assert.deepEqual(servers(table), []);
  assert.match(
    table.skipped.find((s) => s.code === "no-ip")?.reason ?? "",
    /network_from_container_uuid "\u212A0" names no container with one/,
  );
});

// Found by a review: the owner's address was lent whatever the owner's state. Metadata keeps a stopped
// container's primary_ip (the recording's app-r124-web-2), and a container sharing another's network has
// none of its own once that network's owner is down (Docker tears the owner's interfaces down with it),
// so a sidekick still listed as running was routed to an address nothing of it listens on.
test("an owner that is not running lends no address: the sidekick is skipped as no-ip, naming the owner's state", () => {
  for (const state of ["stopped", "starting", "restarting", undefined]) {
    const owner = { ...primary, state };
    for (const list of [
      [owner, sidekick()],
      [sidekick(), owner],
    ]) {
      const table = route(list);
      assert.deepEqual(servers(table), [], `owner ${String(state)}`);
      const skip = table.skipped.find((s) => s.container === "shop-web-nginx-1");
      assert.equal(skip?.code, "no-ip");
      assert.match(
        skip?.reason ?? "",
        new RegExp(
          `network_from_container_uuid "${PRIMARY_UUID}" names a container whose state is .*not running`,
        ),
      );
    }
  }
  const updating = route([{ ...primary, state: "updating-running" }, sidekick()]);
  assert.deepEqual(servers(updating), ["shop nginx-0b0b0b0b-0000-4000-8000-000000000002 127.0.0.51:8080"]);
  // One container listed twice, once stopped: not lent, whatever the order.
  const twice = [primary, { ...primary, state: "stopped" }];
  assert.deepEqual(servers(route([...twice, sidekick()])), []);
  assert.deepEqual(servers(route([twice[1], sidekick(), twice[0]])), []);
});
