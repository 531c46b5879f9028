// Found by a review: Rancher's metadata (Cattle's MetaDataInfoDaoImpl, getMultiAccountInstanceSearchCondition)
// lists in /containers the containers of other environments' services linked to this one, with their own
// environment_uuid. Labelled (that environment's proxy routes them), they were routed here as well: at an
// address of another environment's network (10.42.0.0/16 in both by default, so maybe another container's
// here), and a stack of the same name with a lower stack uuid won the stack and skipped this environment's
// own containers (stack-case-conflict).
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildRoutingTable, renderBackends, renderDomainMap } from "../src/index.js";
import { container, MODEL_OPTIONS } from "./helpers.js";

const OWN = "adadadad-0000-4000-8000-00000000e001";
const OTHER = "adadadad-0000-4000-8000-00000000e002";

const local = container({ name: "shop-web-1", environment_uuid: OWN, primary_ip: "127.0.0.31" });
// Another environment's stack `shop`, listed because a service here links to it; its uuid sorts first.
const foreign = container({
  name: "shop-web-1-elsewhere",
  environment_uuid: OTHER,
  stack_uuid: "00000000-0000-4000-8000-000000000001",
  primary_ip: "127.0.0.32",
  labels: { "map-public-http": "80", "map-public-tcp": "5432:5432" },
});
const foreignBank = container({
  name: "bank-web-1",
  environment_uuid: OTHER,
  stack_name: "bank",
  stack_uuid: "00000000-0000-4000-8000-000000000002",
  primary_ip: "127.0.0.33",
});

test("a labelled container of another environment is not routed: skipped as other-environment on each route", () => {
  for (const containers of [
    [local, foreign, foreignBank],
    [foreignBank, foreign, local],
  ]) {
    const table = buildRoutingTable({ containers, aliases: {}, environment: OWN }, MODEL_OPTIONS);
    assert.equal(
      renderBackends(table).replace(/^#.*\n\n/, ""),
      `backend shop\n    mode http\n    server ${String(local.service_name)}-${String(local.uuid)} 127.0.0.31:80\n`,
    );
    assert.equal(renderDomainMap(table), "shop.dev.tld shop\n");
    assert.deepEqual(
      table.skipped.map((s) => [s.container, s.code, s.route ?? "http"]),
      [
        ["bank-web-1", "other-environment", "http"],
        ["shop-web-1-elsewhere", "other-environment", "http"],
        ["shop-web-1-elsewhere", "other-environment", "tcp"],
      ],
    );
    assert.match(table.skipped[0]?.reason ?? "", new RegExp(`environment_uuid "${OTHER}" is not`));
  }
});

test("another environment's stack keeps no name here: an alias of it is mapped", () => {
  const table = buildRoutingTable(
    { containers: [local, foreignBank], aliases: { shop: ["bank"] }, environment: OWN },
    MODEL_OPTIONS,
  );
  assert.equal(renderDomainMap(table), "bank.dev.tld shop\nshop.dev.tld shop\n");
});

test("an environment metadata does not give (null, absent) skips no container", () => {
  for (const environment of [null, undefined]) {
    const table = buildRoutingTable(
      { containers: [local, foreignBank], aliases: {}, environment },
      MODEL_OPTIONS,
    );
    assert.deepEqual(
      table.backends.map((b) => b.name),
      ["bank", "shop"],
    );
  }
  // A container without environment_uuid is not judged by it.
  const bare = { ...local, environment_uuid: undefined };
  const table = buildRoutingTable({ containers: [bare], aliases: {}, environment: OWN }, MODEL_OPTIONS);
  assert.deepEqual(table.skipped, []);
});
