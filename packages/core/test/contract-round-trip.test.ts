// The shared-file contract as properties (fast-check): parse(render(table)) deep-equals table for every
// valid table; rendering ignores list order; a hostile line anywhere is refused at its own line; any
// input at all gives a table or at most MAX_PROBLEMS problems, never a throw, in bounded work.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  BALANCE_ALGORITHMS,
  HTTPS_LOCATION,
  MAX_HSTS_SECONDS,
  MAX_PATH_DEPTH,
  MAX_SERVER_MAXCONN,
  type BackendOptions,
  MAX_LINE_LENGTH,
  MAX_PROBLEMS,
  PROXY_OPTIONS,
  parseSharedFiles,
  renderBackends,
  renderDomainMap,
  type FileProblem,
  type MapEntry,
  type SharedBackend,
  type SharedFiles,
  type SharedServer,
  type SharedTable,
} from "../src/index.js";

// Valid names written here from DESIGN.md, apart from the contract's own rules.
const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/);
const fqdn = fc
  .array(label, { minLength: 1, maxLength: 5 })
  .map((labels) => labels.join("."))
  .filter((name) => name.length <= 253);
const serverName = fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,127}$/);
const ipv4 = fc
  .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
  .map((octets) => octets.join("."))
  .filter((address) => address !== "0.0.0.0");
// An object without its undefined fields (the parser never sets a field to undefined).
const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const server: fc.Arbitrary<SharedServer> = fc
  .record({
    name: serverName,
    address: ipv4,
    port: fc.integer({ min: 1, max: 65535 }),
    proxy: maybe(fc.constantFrom(...PROXY_OPTIONS)),
    check: maybe(fc.constant(true as const)),
    maxconn: maybe(fc.integer({ min: 1, max: MAX_SERVER_MAXCONN })),
    cookie: maybe(fc.stringMatching(/^[a-z0-9]{1,32}$/)),
  })
  .map(defined);
// Issue 13's option values, written here from the rules (path segments, durations, check paths).
const segment = fc.stringMatching(/^[A-Za-z0-9_~.-]{1,64}$/).filter((s) => s !== "." && s !== "..");
const pathPrefix = fc
  .array(segment, { minLength: 1, maxLength: MAX_PATH_DEPTH })
  .map((segments) => `/${segments.join("/")}`);
const duration = fc
  .tuple(fc.integer({ min: 1, max: 500 }), fc.constantFrom("ms", "s", "m", "h"))
  .map(([n, unit]) => `${n}${unit}`);
const backendOptions: fc.Arbitrary<BackendOptions | undefined> = maybe(
  fc
    .record({
      balance: maybe(fc.constantFrom(...BALANCE_ALGORITHMS)),
      sticky: maybe(fc.constant(true as const)),
      check: maybe(fc.stringMatching(/^\/[A-Za-z0-9_~./-]{0,199}$/)),
      timeoutServer: maybe(duration),
      timeoutTunnel: maybe(duration),
      https: maybe(fc.constantFrom("redirect" as const, "only" as const)),
      hsts: maybe(fc.integer({ min: 0, max: MAX_HSTS_SECONDS })),
      stripPath: maybe(pathPrefix),
    })
    .map(defined)
    .filter((options) => Object.keys(options).length > 0),
);
const backendName = fc.oneof(
  label,
  fc.tuple(label, label).map(([stack, service]) => `${stack}.${service}`),
);
const mapKey = fc
  .tuple(fc.boolean(), fqdn, maybe(pathPrefix))
  .map(([wild, name, path]) => `${wild ? "*." : ""}${name}${path ?? ""}`)
  .filter((key) => key.split("/")[0]!.length <= 255);
const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
const servers = fc
  .uniqueArray(server, { selector: (s) => s.name, maxLength: 5 })
  .map((list) => list.sort(byKey((s) => s.name)));
const backend: fc.Arbitrary<SharedBackend> = fc
  .record({ name: backendName, servers, options: backendOptions }, { noNullPrototype: true })
  .map(defined);
// A TCP service's backend: `tcp_<port>`, `mode tcp`, no option lines; no host maps to it.
const tcpBackend: fc.Arbitrary<SharedBackend> = fc
  .record({ port: fc.integer({ min: 1, max: 65535 }), servers }, { noNullPrototype: true })
  .map(({ port, servers: list }) => ({ name: `tcp_${port}`, mode: "tcp", servers: list }));
// `tcp`: TCP backends among the HTTP ones.
const tableArb = (minBackends = 0, tcp = false): fc.Arbitrary<SharedTable> =>
  fc
    .uniqueArray(tcp ? fc.oneof(backend, tcpBackend) : backend, {
      selector: (b) => b.name,
      minLength: minBackends,
      maxLength: 6,
    })
    .map((backends) => backends.sort(byKey((b) => b.name)))
    .chain((backends) => {
      const http = backends.filter((b) => b.mode === undefined).map((b) => b.name);
      return (
        http.length === 0
          ? fc.constant<MapEntry[]>([])
          : fc.uniqueArray(
              fc.record({ fqdn: mapKey, backend: fc.constantFrom(...http) }, { noNullPrototype: true }),
              {
                selector: (host) => host.fqdn,
                maxLength: 10,
              },
            )
      ).map((hosts) => ({ hosts: hosts.sort(byKey((host) => host.fqdn)), backends }));
    });
const render = (table: SharedTable) => ({ backends: renderBackends(table), map: renderDomainMap(table) });

test("parse(render(table)) deep-equals table for every valid table, from text and from bytes", () => {
  fc.assert(
    fc.property(tableArb(0, true), (table) => {
      const files = render(table);
      assert.deepEqual(parseSharedFiles(files), { ok: true, table });
      const bytes = { backends: Buffer.from(files.backends), map: Buffer.from(files.map) };
      assert.deepEqual(parseSharedFiles(bytes), { ok: true, table });
    }),
    { numRuns: 500 },
  );
});

test("a leading byte order mark is refused the same from bytes as from text", () => {
  const files = {
    backends: "\uFEFFbackend app\n    server web-1 127.0.0.1:80\n",
    map: "\uFEFFapp.dev.tld app\n",
  };
  for (const file of ["backends", "map"] as const) {
    const text = {
      backends: files.backends.replace(/^\uFEFF/, ""),
      map: files.map.replace(/^\uFEFF/, ""),
      [file]: files[file],
    };
    const asText = parseSharedFiles(text);
    const asBytes = parseSharedFiles({ backends: Buffer.from(text.backends), map: Buffer.from(text.map) });
    assert.equal(asText.ok, false, `${file} as text`);
    assert.equal(asBytes.ok, false, `${file} as bytes: the BOM is not decoded away`);
  }
});

test("rendering sorts: the same table in any order gives the same bytes", () => {
  fc.assert(
    fc.property(tableArb(0, true), (table) => {
      const reversed: SharedTable = {
        hosts: [...table.hosts].reverse(),
        backends: [...table.backends].reverse().map((b) => ({ ...b, servers: [...b.servers].reverse() })),
      };
      assert.deepEqual(render(reversed), render(table));
    }),
    { numRuns: 200 },
  );
});

// The files are refused, and the first problem is the given line of the given file.
function assertRefusedFirstAt(files: SharedFiles, file: FileProblem["file"], line: number): void {
  const parsed = parseSharedFiles(files);
  const first = parsed.ok ? undefined : parsed.problems[0];
  assert.deepEqual({ file: first?.file, line: first?.line }, { file, line }, JSON.stringify(parsed));
}

// Each refused at the line it stands on, wherever it is put (from the first backend on).
const HOSTILE_BACKENDS_LINES = [
  "frontend evil",
  "listen evil",
  "global",
  "defaults",
  "    bind :8081",
  "    http-request redirect location /x",
  "    lua-load /tmp/x.lua",
  "    mode tcp",
  "    server evil 6.6.6.6:80 check",
  "    server evil 6.6.6.6:80 send-proxy send-proxy-v2",
  "    server Evil 6.6.6.6:80",
  "    server evil 6.6.6.6:0",
  "    server evil 6.6.6.6:65536",
  "    server evil 6.6.6.6:080",
  "    server evil 6.6.6.6",
  "    server evil 0.0.0.0:80",
  "    server evil [::1]:80",
  "    server evil 6.6.6.6:80\r",
  "    server evil 6.6.6.6:80\u0000",
  "    server evil\u001b 6.6.6.6:80",
  `    server ${"a".repeat(129)} 6.6.6.6:80`,
  `    server a 6.6.6.6:80 ${"#".repeat(MAX_LINE_LENGTH)}`,
  "backend rh_stats",
  "backend App",
  `backend ${"a".repeat(64)}`,
  "backend a b",
  "backend a.b.c",
  "backend a_b.c",
  "    balance static-rr",
  "    balance",
  "    cookie SRV insert indirect nocache",
  "    option httpchk GET /x y",
  "    option httpchk GET /x%0a",
  "    option httpchk POST /x",
  "    timeout server 0s",
  "    timeout server 30",
  "    timeout server 99999999d",
  "    timeout client 1s",
  "    http-request redirect scheme https code 302 if !{ ssl_fc }",
  "    http-request redirect location https://evil.example%[pathq] code 308 if !{ ssl_fc }",
  "    http-request deny if !{ ssl_fc }",
  "    http-request replace-path ^/a(.*)$ /\\1",
  "    http-request replace-path ^/a.b(?:/(.*))?$ /\\1",
  "    http-response set-header Strict-Transport-Security max-age=-1 if { ssl_fc }",
  "    http-response set-header X-Evil 1",
  "    http-after-response set-header Strict-Transport-Security max-age=1 if !{ ssl_fc }",
  "    http-after-response set-header X-Evil 1",
  "    server evil 6.6.6.6:80 check inter 1s fall 3 rise 2",
  "    server evil 6.6.6.6:80 maxconn 0",
  "    server evil 6.6.6.6:80 cookie ABC",
  "    server evil 6.6.6.6:80 cookie a maxconn 3",
  "    server evil 6.6.6.6:80 check inter 2s fall 3 rise 2 check inter 2s fall 3 rise 2",
];

test("a hostile line anywhere in the backends file is refused at its own line", () => {
  fc.assert(
    fc.property(tableArb(1), fc.constantFrom(...HOSTILE_BACKENDS_LINES), fc.nat(), (table, hostile, at) => {
      const lines = renderBackends(table).split("\n");
      const index = 2 + (at % (lines.length - 2)); // after the header and its blank line
      lines.splice(index, 0, hostile);
      assertRefusedFirstAt(
        { backends: lines.join("\n"), map: renderDomainMap(table) },
        "backends",
        index + 1,
      );
    }),
    { numRuns: 500 },
  );
});

test("a hostile line anywhere in the map is refused at its own line", () => {
  const hostileMapLines = (target: string) => [
    "evil.dev.tld rh_stats",
    "evil.dev.tld nope_x",
    "evil.dev.tld",
    `evil.dev.tld ${target} extra`,
    `evil.dev.tld ${target} # a comment`,
    `Evil.dev.tld ${target}`,
    `*.*.dev.tld ${target}`,
    `*dev.tld ${target}`,
    `evil.dev.tld/ ${target}`,
    `evil.dev.tld/a/ ${target}`,
    `evil.dev.tld/a/b/c/d ${target}`,
    `evil.dev.tld/.. ${target}`,
    `evil.dev.tld/a%2f ${target}`,
    `evil.dev.tld//a ${target}`,
    `/a ${target}`,
    `evil.dev.tld. ${target}`,
    `${"a".repeat(64)}.tld ${target}`,
    `${`${"a".repeat(63)}.`.repeat(4)}tld ${target}`,
    `evil.dev.tld ${target}\r`,
    `evil.dev.tld ${target}\u0000`,
    `evil.dev.tld\u2028 ${target}`,
    `${"a".repeat(MAX_LINE_LENGTH)}.tld ${target}`,
  ];
  fc.assert(
    fc.property(tableArb(1), fc.nat(), fc.nat(), (table, pick, at) => {
      const target = table.backends[0]?.name ?? "";
      const choices = hostileMapLines(target);
      const hostile = choices[pick % choices.length] ?? "";
      const lines = renderDomainMap(table).split("\n").slice(0, -1);
      const index = at % (lines.length + 1);
      lines.splice(index, 0, hostile);
      assertRefusedFirstAt(
        { backends: renderBackends(table), map: `${lines.join("\n")}\n` },
        "map",
        index + 1,
      );
    }),
    { numRuns: 500 },
  );
});

test("a duplicate fqdn or backend is refused at its second line, naming the first", () => {
  fc.assert(
    fc.property(tableArb(1), (table) => {
      const { backends, map } = render(table);
      const first = table.backends[0];
      const backendLines = backends.split("\n").length - 1;
      const mapLines = map.split("\n").length - 1;
      const twice = parseSharedFiles({ backends: `${backends}backend ${first?.name}\n`, map });
      assert.deepEqual(!twice.ok && twice.problems, [
        {
          file: "backends",
          line: backendLines + 1,
          text: `backend ${first?.name}`,
          reason: `backend "${first?.name}" is declared twice (first on line 3)`,
        },
      ]);
      const host = table.hosts[0];
      if (host) {
        const again = parseSharedFiles({ backends, map: `${map}${host.fqdn} ${host.backend}\n` });
        assert.deepEqual(!again.ok && again.problems[0]?.line, mapLines + 1);
        assert.match(!again.ok ? (again.problems[0]?.reason ?? "") : "", /mapped twice \(first on line 1\)/);
      }
    }),
    { numRuns: 200 },
  );
});

test("a server name used twice in a backend is refused at its second line, naming the backend and the first", () => {
  // The reloader renames servers to slots, so `haproxy -c` never sees the name twice: until 2026-12-05
  // the contract accepted it and the reloader refused it in a check of its own, so the generator's union
  // step (which reads old blocks with the contract) kept such a block in a file the reloader refused.
  fc.assert(
    fc.property(tableArb(1), (table) => {
      const { backends, map } = render(table);
      const lines = backends.split("\n");
      const at = lines.findIndex((line) => line.startsWith("    server "));
      if (at === -1) return;
      const name = lines[at]?.split(" ")[5] ?? "";
      const owner = lines
        .slice(0, at)
        .findLast((line) => line.startsWith("backend "))
        ?.slice(8);
      const doubled = [...lines.slice(0, at + 1), `    server ${name} 127.0.0.1:1`, ...lines.slice(at + 1)];
      const parsed = parseSharedFiles({ backends: doubled.join("\n"), map });
      assert.deepEqual(!parsed.ok && parsed.problems, [
        {
          file: "backends",
          line: at + 2,
          text: `    server ${name} 127.0.0.1:1`,
          reason: `server "${name}" is declared twice in backend "${owner}" (first on line ${at + 1})`,
        },
      ]);
    }),
    { numRuns: 200 },
  );
  // the same name in two backends is two servers
  const two =
    "backend a\n    mode http\n    server web-1 10.0.0.1:80\nbackend b\n    mode http\n    server web-1 10.0.0.2:80\n";
  assert.ok(parseSharedFiles({ backends: two, map: "" }).ok);
});

// Fragments the parser has words for, so random files reach every branch.
const fragment = fc.constantFrom(
  "backend",
  "app",
  "rh_x",
  "mode",
  "http",
  "server",
  "s1",
  "10.0.0.1:80",
  "1.2.3.4:0",
  "send-proxy",
  "a.dev.tld",
  "#",
  " ",
  "    ",
  "\t",
  "\r",
  "\u0000",
  "é",
);
const line = fc.array(fragment, { maxLength: 6 }).map((words) => words.join(" "));
const file = fc.oneof(
  fc.array(line, { maxLength: 12 }).map((lines) => lines.join("\n")),
  fc.string({ unit: "binary", maxLength: 200 }),
);

test("any input gives a table or at most MAX_PROBLEMS problems with real line numbers; never a throw", () => {
  fc.assert(
    fc.property(file, file, fc.boolean(), (backends, map, asBytes) => {
      const files = asBytes ? { backends: Buffer.from(backends), map: Buffer.from(map) } : { backends, map };
      const parsed = parseSharedFiles(files);
      if (parsed.ok) {
        // what parses renders back to the same table, sorted
        const again = parseSharedFiles(render(parsed.table));
        assert.deepEqual(again.ok && render(again.table), render(parsed.table));
        return;
      }
      assert.ok(parsed.problems.length > 0 && parsed.problems.length <= MAX_PROBLEMS);
      for (const problem of parsed.problems) {
        const lines = (problem.file === "map" ? map : backends).split("\n").length;
        assert.ok(
          problem.line === null || (problem.line >= 1 && problem.line <= lines),
          JSON.stringify(problem),
        );
        assert.ok((problem.text ?? "").length <= 200);
      }
    }),
    { numRuns: 2000 },
  );
});

test("a line wrong in itself is not hidden behind more than MAX_PROBLEMS keys naming undeclared backends", () => {
  const backends = "backend app\n    server web-1 127.0.0.1:80\n";
  const ghosts = Array.from({ length: MAX_PROBLEMS + 5 }, (_, i) => `g${i}.dev.tld ghost${i}\n`).join("");
  const unsettled = parseSharedFiles({ backends, map: ghosts });
  assert.ok(!unsettled.ok);
  assert.equal(unsettled.problems.length, MAX_PROBLEMS);
  assert.ok(unsettled.problems.every((problem) => problem.kind === "unsettled"));
  const broken = parseSharedFiles({ backends, map: `${ghosts}app.dev.tld app extra\n` });
  assert.ok(!broken.ok);
  assert.equal(broken.problems.length, MAX_PROBLEMS);
  assert.deepEqual(
    broken.problems.filter((problem) => problem.kind !== "unsettled").map((problem) => problem.line),
    [MAX_PROBLEMS + 6],
  );
  assert.deepEqual(
    broken.problems.map((problem) => problem.line),
    [...broken.problems.map((problem) => problem.line)].sort((a, b) => (a ?? 0) - (b ?? 0)),
    "in line order",
  );
});

test("a map value no backends file can declare is refused, not waited on as 'not settled'", () => {
  // "Not settled" is a writer between its renames: the backend will arrive. These never can (not a DNS
  // label nor <stack>.<service>), so the reader would re-read the pair for ever, never refusing it.
  const backends = "backend app\n    server web-1 127.0.0.1:80\n";
  for (const value of ["rh_no_route", "rh_stats", "nope_x", "App", "a.b.c", "tcp_0", "tcp_65536", "-app"]) {
    const parsed = parseSharedFiles({ backends, map: `app.dev.tld app\nevil.dev.tld ${value}\n` });
    assert.ok(!parsed.ok, value);
    assert.deepEqual(
      parsed.problems.map(({ file, line, kind }) => ({ file, line, kind })),
      [{ file: "map", line: 2, kind: undefined }],
      value,
    );
    assert.match(parsed.problems[0]?.reason ?? "", /is not a DNS label or <stack>\.<service>/);
  }
  // A name that a backends file can declare is still only "not settled" when this one does not.
  const waiting = parseSharedFiles({ backends, map: "fresh.dev.tld fresh\nx.dev.tld shop.api\n" });
  assert.ok(!waiting.ok);
  assert.deepEqual(
    waiting.problems.map((problem) => problem.kind),
    ["unsettled", "unsettled"],
  );
});

test("huge hostile input gives a bounded answer: capped problems, quoted text cut, long lines unread", () => {
  const manyBad = parseSharedFiles({ backends: "", map: "x y z\n".repeat(1_000_000) });
  assert.equal(!manyBad.ok && manyBad.problems.length, MAX_PROBLEMS);
  const oneLine = parseSharedFiles({ backends: "a".repeat(32 * 1024 * 1024), map: "" });
  assert.deepEqual(!oneLine.ok && oneLine.problems.map((p) => [p.line, p.reason, p.text?.length]), [
    [null, "does not end with a newline (cut short?)", undefined],
    [1, `is longer than ${MAX_LINE_LENGTH} characters`, 200],
  ]);
  // long comments padded with blanks are skipped, and the table after them still parses
  const padded = `${`#${" ".repeat(MAX_LINE_LENGTH - 2)}x\n`.repeat(1000)}backend app\n    mode http\n`;
  assert.deepEqual(parseSharedFiles({ backends: padded, map: "" }), {
    ok: true,
    table: { hosts: [], backends: [{ name: "app", servers: [] }] },
  });
});

test("backend option lines are read only in the renderer's order, once each, redirect lines in pairs", () => {
  const head = "backend app\n    mode http\n";
  const refusedAt = (lines: string[], line: number) =>
    assertRefusedFirstAt(
      { backends: head + lines.map((l) => `    ${l}\n`).join(""), map: "" },
      "backends",
      line,
    );
  refusedAt(["timeout server 1s", "balance leastconn"], 4);
  refusedAt(["balance leastconn", "balance source"], 4);
  refusedAt([`http-request redirect location ${HTTPS_LOCATION} code 308 if !{ ssl_fc }`], 3);
  refusedAt(
    [
      `http-request redirect location ${HTTPS_LOCATION} code 301 if !{ ssl_fc } METH_GET`,
      `http-request redirect location ${HTTPS_LOCATION} code 308 if !{ ssl_fc }`,
      "http-request deny deny_status 403 if !{ ssl_fc }",
    ],
    5,
  );
  // a generator from before the Location form (`redirect scheme https`) is read as the same option
  const old = parseSharedFiles({
    backends: `${head}    http-request redirect scheme https code 301 if !{ ssl_fc } METH_GET\n    http-request redirect scheme https code 308 if !{ ssl_fc }\n`,
    map: "",
  });
  assert.deepEqual(old.ok && old.table.backends[0]?.options, { https: "redirect" });
  refusedAt(["http-request redirect scheme https code 308 if !{ ssl_fc }"], 3);
  // and one from before HSTS on HAProxy's own answers (`http-response`), with its order kept
  const oldHsts = parseSharedFiles({
    backends: `${head}    http-request deny deny_status 403 if !{ ssl_fc }\n    http-response set-header Strict-Transport-Security max-age=600 if { ssl_fc }\n`,
    map: "",
  });
  assert.deepEqual(oldHsts.ok && oldHsts.table.backends[0]?.options, { https: "only", hsts: 600 });
  assert.match(
    oldHsts.ok ? renderBackends(oldHsts.table) : "",
    /^ {4}http-after-response set-header Strict-Transport-Security max-age=600 if \{ ssl_fc \}$/m,
  );
  refusedAt(
    ["http-response set-header Strict-Transport-Security max-age=600 if { ssl_fc }", "balance leastconn"],
    4,
  );
  const spaced = parseSharedFiles({ backends: `${head}    timeout\t  tunnel 1h\n`, map: "" });
  assert.deepEqual(spaced.ok && spaced.table.backends[0]?.options, { timeoutTunnel: "1h" });
});
