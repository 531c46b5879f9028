// Step 1 of the model, table-driven: every skip reason, what counts as unlabelled, what is routed.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { OversizedEntry } from "@rancher-haproxy/core";
import {
  buildRoutingTable,
  createSkipLog,
  evaluateContainer,
  selectContainers,
  type ContainerSkipCode,
} from "../src/index.js";
import { captureLogger, container, MODEL_OPTIONS } from "./helpers.js";

const label = (value: unknown, extra: Record<string, unknown> = {}) => ({
  labels: { "map-public-http": value, ...extra },
});

const SKIPS: [string, Record<string, unknown>, ContainerSkipCode, RegExp][] = [
  ["port with letters", label("http"), "port-invalid", /map-public-http="http" is not a port/],
  ["port 0", label("0"), "port-invalid", /"0"/],
  ["port 65536", label("65536"), "port-invalid", /"65536"/],
  ["port with a sign", label("+80"), "port-invalid", /"\+80"/],
  ["negative port", label("-80"), "port-invalid", /"-80"/],
  ["port with decimals", label("80.0"), "port-invalid", /"80.0"/],
  ["port with spaces", label(" 80"), "port-invalid", /" 80"/],
  ["port with a newline", label("80\n"), "port-invalid", /"80\\n"/],
  ["empty port", label(""), "port-invalid", /""/],
  ["port as a number", label(80), "port-invalid", /=80 is not/],
  ["huge port", label("99999999999999999999"), "port-invalid", /not a port/],
  [
    "unknown proxy option",
    label("80", { "send-proxy": "yes" }),
    "proxy-invalid",
    /send-proxy="yes" is not one of/,
  ],
  [
    "proxy option with an extra word",
    label("80", { "send-proxy": "send-proxy check" }),
    "proxy-invalid",
    /send-proxy check/,
  ],
  ["empty proxy option", label("80", { "send-proxy": "" }), "proxy-invalid", /send-proxy=""/],
  ["upper-case proxy option", label("80", { "send-proxy": "SEND-PROXY" }), "proxy-invalid", /SEND-PROXY/],
  ["no stack", { stack_name: null }, "no-stack", /not in a stack/],
  ["stack key missing", { stack_name: undefined }, "no-stack", /not in a stack/],
  ["stack with an underscore", { stack_name: "my_stack" }, "stack-invalid", /"my_stack" is not a DNS label/],
  ["stack with a dot", { stack_name: "a.b" }, "stack-invalid", /"a.b"/],
  ["stack with a space", { stack_name: "a b" }, "stack-invalid", /"a b"/],
  ["stack starting with a hyphen", { stack_name: "-app" }, "stack-invalid", /"-app"/],
  ["stack of 64 characters", { stack_name: "a".repeat(64) }, "stack-invalid", /not a DNS label/],
  ["stack not a string", { stack_name: 42 }, "stack-invalid", /42/],
  [
    "service with a space",
    { service_name: "web 1" },
    "service-invalid",
    /"web 1" is not a server-name token/,
  ],
  ["service missing", { service_name: undefined }, "service-invalid", /missing/],
  ["service with a slash", { service_name: "web/x" }, "service-invalid", /web\/x/],
  ["uuid with a space", { uuid: "c0 ffee" }, "uuid-invalid", /"c0 ffee" is not hex/],
  ["uuid not hex", { uuid: "zzzz-0000" }, "uuid-invalid", /zzzz/],
  ["uuid missing", { uuid: undefined }, "uuid-invalid", /missing/],
  ["uuid with a double dash", { uuid: "ab--cd" }, "uuid-invalid", /ab--cd/],
  ["no primary_ip", { primary_ip: null }, "no-ip", /no primary_ip/],
  ["empty primary_ip", { primary_ip: "" }, "no-ip", /no primary_ip/],
  ["IPv6 primary_ip", { primary_ip: "fd00::1" }, "ip-invalid", /"fd00::1" is not an IPv4 address/],
  ["primary_ip with a port", { primary_ip: "10.0.0.1:80" }, "ip-invalid", /10.0.0.1:80/],
  ["primary_ip out of range", { primary_ip: "10.0.0.256" }, "ip-invalid", /10.0.0.256/],
  ["primary_ip with leading zeros", { primary_ip: "10.0.0.01" }, "ip-invalid", /10.0.0.01/],
  ["primary_ip 0.0.0.0", { primary_ip: "0.0.0.0" }, "ip-invalid", /0.0.0.0/],
  ["primary_ip with an injected option", { primary_ip: "10.0.0.1 backup" }, "ip-invalid", /backup/],
  ["stopped", { state: "stopped" }, "not-running", /state is "stopped", not "running"/],
  ["starting", { state: "starting" }, "not-running", /"starting"/],
  ["no state", { state: undefined }, "not-running", /missing/],
  ["unhealthy", { health_state: "unhealthy" }, "unhealthy", /health_state is "unhealthy"/],
  ["initializing", { health_state: "initializing" }, "unhealthy", /"initializing"/],
  ["reinitializing", { health_state: "reinitializing" }, "unhealthy", /"reinitializing"/],
  ["updating-unhealthy", { health_state: "updating-unhealthy" }, "unhealthy", /"updating-unhealthy"/],
  ["health with another case", { health_state: "Healthy" }, "unhealthy", /"Healthy"/],
  ["updating-stopped", { state: "updating-stopped" }, "not-running", /"updating-stopped"/],
  ["stopping", { state: "stopping" }, "not-running", /"stopping"/],
  ["restarting", { state: "restarting" }, "not-running", /"restarting"/],
  ["state with another case", { state: "Running" }, "not-running", /"Running"/],
  [
    "an address outside the networks",
    { primary_ip: "192.168.1.5" },
    "ip-not-allowed",
    /192.168.1.5 is outside the backend networks \(127.0.0.0\/8, 10.42.0.0\/16\)/,
  ],
  ["just past a network", { primary_ip: "10.43.0.0" }, "ip-not-allowed", /10.43.0.0/],
];

describe("evaluateContainer skips a labelled container with a stable code and a readable reason", () => {
  for (const [name, overrides, code, reason] of SKIPS) {
    test(name, () => {
      const result = evaluateContainer(container({ name: "c1", ...overrides }), MODEL_OPTIONS);
      assert.equal(result.kind, "skipped", JSON.stringify(result));
      if (result.kind !== "skipped") return;
      assert.equal(result.skip.code, code);
      assert.match(result.skip.reason, reason);
      assert.equal(result.skip.container, "c1");
    });
  }
});

test("checks run in a fixed order: labels, then names, then address, then lifecycle", () => {
  const everythingWrong = container({
    ...label("x", { "send-proxy": "x" }),
    stack_name: null,
    primary_ip: null,
    state: "stopped",
  });
  const codeOf = (c: Record<string, unknown>) => {
    const result = evaluateContainer(c, MODEL_OPTIONS);
    return result.kind === "skipped" ? result.skip.code : result.kind;
  };
  assert.equal(codeOf(everythingWrong), "port-invalid");
  assert.equal(
    codeOf({ ...everythingWrong, labels: { "map-public-http": "80", "send-proxy": "x" } }),
    "proxy-invalid",
  );
  assert.equal(codeOf({ ...everythingWrong, labels: { "map-public-http": "80" } }), "no-stack");
  assert.equal(
    codeOf(container({ primary_ip: null, state: "starting", health_state: "initializing" })),
    "no-ip",
  );
  assert.equal(codeOf(container({ state: "stopped", health_state: "unhealthy" })), "not-running");
});

test("containers without the label are unlabelled, not skipped, whatever else they hold", () => {
  const cases = [
    container({ labels: {} }),
    container({ labels: null }),
    container({ labels: undefined }),
    container({ labels: ["map-public-http"] }),
    container({ labels: { "MAP-PUBLIC-HTTP": "80" } }),
    container({ labels: { "io.rancher.stack.name": "shop" }, state: "stopped", primary_ip: "garbage" }),
  ];
  const selection = selectContainers(cases, MODEL_OPTIONS);
  assert.equal(selection.unlabelled.length, cases.length);
  assert.deepEqual(selection.skipped, []);
  assert.deepEqual(selection.candidates, []);
});

test("routable containers: every proxy option, null or missing health, the port range ends, mixed case names", () => {
  const cases: [Record<string, unknown>, string][] = [
    [container({ uuid: "aa-01" }), "    web-aa-01 80"],
    [container({ uuid: "aa-02", health_state: null }), "web-aa-02 80"],
    [container({ uuid: "aa-03", health_state: undefined }), "web-aa-03 80"],
    [container({ uuid: "aa-04", ...label("1") }), "web-aa-04 1"],
    [container({ uuid: "aa-05", ...label("65535") }), "web-aa-05 65535"],
    [
      container({ uuid: "aa-06", ...label("8080", { "send-proxy": "send-proxy" }) }),
      "web-aa-06 8080 send-proxy",
    ],
    [
      container({ uuid: "aa-07", ...label("80", { "send-proxy": "send-proxy-v2" }) }),
      "web-aa-07 80 send-proxy-v2",
    ],
    [
      container({ uuid: "aa-08", ...label("80", { "send-proxy": "send-proxy-v2-ssl" }) }),
      "web-aa-08 80 send-proxy-v2-ssl",
    ],
    [
      container({ uuid: "aa-09", ...label("80", { "send-proxy": "send-proxy-v2-ssl-cn" }) }),
      "web-aa-09 80 send-proxy-v2-ssl-cn",
    ],
    [container({ uuid: "AA-0A", service_name: "Web_1.x", stack_name: "Shop" }), "web_1.x-aa-0a 80"],
  ];
  for (const [input, expected] of cases) {
    const result = evaluateContainer(input, MODEL_OPTIONS);
    assert.equal(result.kind, "candidate", JSON.stringify(result));
    if (result.kind !== "candidate") continue;
    const { server, backend } = result.candidate;
    assert.equal(backend, "shop");
    const line = `${server.name} ${server.port}${server.proxy ? ` ${server.proxy}` : ""}`;
    assert.equal(line, expected.trim());
  }
});

test("a container whose name is missing is reported by its uuid, and label keys never come from the prototype", () => {
  const result = evaluateContainer(
    container({ name: undefined, uuid: "ab-cd", primary_ip: null }),
    MODEL_OPTIONS,
  );
  assert.ok(result.kind === "skipped" && result.skip.container === "ab-cd");
  const tricky = evaluateContainer(container({ labels: {} }), { ...MODEL_OPTIONS, label: "constructor" });
  assert.equal(tricky.kind, "unlabelled");
  const proto = JSON.parse('{"name":"p","labels":{"__proto__":{"map-public-http":"80"}}}') as unknown;
  assert.equal(evaluateContainer(proto, MODEL_OPTIONS).kind, "unlabelled");
});

test("without backend networks, special addresses are refused and ordinary ones routed (issue 11.4)", () => {
  const open = { ...MODEL_OPTIONS, backendNetworks: undefined };
  const refused: [string, RegExp][] = [
    ["127.0.0.1", /loopback/],
    ["127.255.255.254", /loopback/],
    ["0.1.2.3", /unspecified/],
    ["169.254.169.254", /link-local/],
    ["224.0.0.1", /multicast/],
    ["239.255.255.250", /multicast/],
    ["255.255.255.255", /broadcast/],
    ["240.0.0.1", /reserved/],
  ];
  for (const [ip, kind] of refused) {
    const result = evaluateContainer(container({ primary_ip: ip }), open);
    assert.ok(result.kind === "skipped", `${ip}: ${JSON.stringify(result)}`);
    assert.equal(result.skip.code, "ip-special", ip);
    assert.match(result.skip.reason, kind);
    assert.match(result.skip.reason, new RegExp(`primary_ip ${ip.replace(/\./g, "\\.")} is`));
  }
  for (const ip of [
    "10.42.0.5",
    "192.168.1.5",
    "172.17.0.2",
    "126.255.255.255",
    "128.0.0.1",
    "223.255.255.255",
  ])
    assert.equal(evaluateContainer(container({ primary_ip: ip }), open).kind, "candidate", ip);
});

test("backend networks allow only addresses inside them, special ones included when listed", () => {
  const options = { ...MODEL_OPTIONS, backendNetworks: ["10.42.0.0/16", "169.254.0.0/16"] };
  assert.equal(evaluateContainer(container({ primary_ip: "10.42.255.255" }), options).kind, "candidate");
  assert.equal(evaluateContainer(container({ primary_ip: "169.254.1.1" }), options).kind, "candidate");
  const loopback = evaluateContainer(container({ primary_ip: "127.0.0.1" }), options);
  assert.ok(loopback.kind === "skipped" && loopback.skip.code === "ip-not-allowed");
  const none = evaluateContainer(container({ primary_ip: "10.42.0.1" }), {
    ...MODEL_OPTIONS,
    backendNetworks: [],
  });
  assert.ok(
    none.kind === "skipped" && none.skip.code === "ip-not-allowed" && /\(none\)/.test(none.skip.reason),
  );
});

test("Rancher's transitional serving states are routed: updating-running, updating-healthy (issue 11.9)", () => {
  const cases: Record<string, unknown>[] = [
    { state: "updating-running" },
    { health_state: "updating-healthy" },
    { state: "updating-running", health_state: "updating-healthy" },
    { health_state: "" },
  ];
  for (const overrides of cases)
    assert.equal(
      evaluateContainer(container(overrides), MODEL_OPTIONS).kind,
      "candidate",
      JSON.stringify(overrides),
    );
});

test("entries of /containers that are not objects are skipped with a reason; the others still route (issue 11.6)", () => {
  const good = container({ uuid: "ab-01" });
  const selection = selectContainers([good, 3, "x", null, [good], true], MODEL_OPTIONS);
  assert.equal(selection.candidates.length, 1);
  assert.deepEqual(
    selection.skipped.map((skip) => [skip.container.replace(/^\(entry: \[\{.*/, "(entry: [{…"), skip.code]),
    [
      ["(entry: 3)", "entry-invalid"],
      ['(entry: "x")', "entry-invalid"],
      ["(entry: null)", "entry-invalid"],
      ["(entry: [{…", "entry-invalid"],
      ["(entry: true)", "entry-invalid"],
    ],
  );
  assert.match(selection.skipped[0]?.reason ?? "", /entry 3 is not a container object/);
  const direct = evaluateContainer("nope", MODEL_OPTIONS);
  assert.ok(direct.kind === "skipped" && direct.skip.code === "entry-invalid");
});

test("an entry too large to be read (over core's 1 MiB entry cap) is skipped with its size; the others still route", () => {
  const good = container({ uuid: "ab-01" });
  const selection = selectContainers([good, new OversizedEntry(9_000_000, 1_048_576)], MODEL_OPTIONS);
  assert.equal(selection.candidates.length, 1);
  assert.deepEqual(
    selection.skipped.map((skip) => [skip.container, skip.code, skip.reason]),
    [
      [
        "(entry of 9000000 bytes)",
        "entry-invalid",
        "entry of 9000000 bytes is over the 1048576-byte cap of one container: not read",
      ],
    ],
  );
});

test("a bad /containers entry is named by what it is, not where it is: listed in another order, it is not logged again", () => {
  // Rancher's metadata lists the containers in another order after each reload; named by position
  // ("(entry 1)"), a skipped entry changed name with it and the skip log logged it again each time.
  const good = container({ uuid: "ab-01" });
  const entries = [good, 3, null, new OversizedEntry(9_000_000, 1_048_576)];
  const table = (list: unknown[]) => buildRoutingTable({ containers: list, aliases: {} }, MODEL_OPTIONS);
  const first = table(entries);
  assert.deepEqual(
    first.skipped.map((skip) => skip.container),
    ["(entry of 9000000 bytes)", "(entry: 3)", "(entry: null)"],
  );
  const reordered = table([...entries].reverse());
  assert.deepEqual(reordered.skipped, first.skipped, "equal input in another order: equal skips");
  const { logger, lines } = captureLogger();
  const log = createSkipLog(logger);
  log.report(first);
  assert.equal(lines().length, 3);
  log.report(reordered);
  assert.deepEqual(lines().slice(3), [], "nothing logged again");
});

test("a skip whose code stays but whose reason changes is logged again; an unchanged one is not", () => {
  // alias www of stack gone: not routed (no container), then not routed either (a TCP-only container)
  const tcpOnly = container({ stack_name: "gone", labels: { "map-public-tcp": "15432:5432" } });
  const table = (list: unknown[]) =>
    buildRoutingTable({ containers: list, aliases: { gone: ["www"] } }, MODEL_OPTIONS);
  const { logger, lines } = captureLogger();
  const log = createSkipLog(logger);
  const aliasLines = () => lines().filter((line) => line["event"] === "alias-skipped");
  log.report(table([container()]));
  log.report(table([container()]));
  log.report(table([container(), tcpOnly]));
  log.report(table([container(), tcpOnly]));
  assert.deepEqual(
    aliasLines().map((line) => [line["code"], line["reason"]]),
    [
      ["alias-stack-not-routed", "stack gone has no routed container"],
      [
        "alias-stack-not-routed",
        "stack gone has no container routed by host: it is routed by TCP port only, and an alias is a host name",
      ],
    ],
  );
});

test("a 10 000-deep value in any field is described in bounded text, never a stack overflow (issue 11.5)", () => {
  let deep: unknown = "x";
  for (let i = 0; i < 10_000; i++) deep = [deep];
  let deepObject: unknown = {};
  for (let i = 0; i < 10_000; i++) deepObject = { a: deepObject };
  for (const field of [
    "name",
    "labels",
    "stack_name",
    "service_name",
    "uuid",
    "primary_ip",
    "state",
    "health_state",
  ])
    for (const value of [deep, deepObject]) {
      const overrides = { [field]: field === "labels" ? { "map-public-http": value } : value };
      const result = evaluateContainer(container(overrides), MODEL_OPTIONS);
      const text = JSON.stringify(result);
      assert.ok(text.length < 1000, `${field}: ${text.slice(0, 200)}`);
      if (field !== "name") assert.equal(result.kind, "skipped", field);
    }
  const wide = evaluateContainer(
    container({ stack_name: Array.from({ length: 1e6 }, () => "a") }),
    MODEL_OPTIONS,
  );
  assert.ok(wide.kind === "skipped" && wide.skip.reason.length < 200);
});

test("a host name longer than 253 characters skips the stack", () => {
  const domain = `${"d".repeat(63)}.${"e".repeat(63)}.${"f".repeat(63)}.${"g".repeat(50)}`;
  const result = evaluateContainer(container({ stack_name: "s".repeat(20) }), { ...MODEL_OPTIONS, domain });
  assert.ok(result.kind === "skipped" && result.skip.code === "stack-invalid", JSON.stringify(result));
  assert.match(result.skip.reason, /longer than 253/);
});
