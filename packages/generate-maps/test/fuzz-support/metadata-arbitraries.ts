// fast-check arbitraries for hostile metadata documents: /containers arrays and aliases objects as JSON
// could carry them. Every field is mostly plausible (so that many documents route something) and
// sometimes hostile: newlines, spaces, `#`, quotes, unicode, very long strings, HAProxy keywords, names
// differing only in case, numbers out of range, missing and null fields, wrong types, extra fields.
import fc from "fast-check";
import { seededRandom } from "@rancher-haproxy/test-support";
import type { ModelOptions } from "../../src/index.js";
import type { ObjectInput as MetadataInput } from "../helpers.js";

// Strings that have hurt proxies before, or could.
const HOSTILE = [
  "",
  " ",
  "\n",
  "\r\n",
  "\t",
  "\0",
  "#",
  "# comment",
  "'",
  '"',
  "\\",
  "a b",
  "a\nb",
  "a\rb",
  "a#b",
  "a;b",
  "a\\nb",
  "backend",
  "server",
  "frontend",
  "global",
  "defaults",
  "listen",
  "mode",
  "http-request",
  "use_backend",
  "acl",
  "bind",
  "check",
  "backup",
  "disabled",
  "weight 0",
  "%[src]",
  "${HOME}",
  "$(id)",
  "`id`",
  "café",
  "ÄPP",
  "İ",
  "ß",
  "ǅ",
  "🙂",
  "a\u200bb",
  "a\u2028b",
  "ａｐｐ",
  "x".repeat(63),
  "x".repeat(64),
  "-a",
  "a-",
  "a..b",
  ".",
  "a.b",
  "A_B",
  "__proto__",
  "constructor",
  "toString",
];

const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", minLength: 200, maxLength: 2000 }) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE).map((s) => `line\n${s}\nserver evil 1.2.3.4:80`) },
);

// Any JSON value of the wrong type for a field.
const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.jsonValue({ maxDepth: 1 }),
);

// Mostly `plausible`, sometimes hostile text, a value of the wrong type, or missing (undefined: JSON drops it).
function field<T>(plausible: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 30, arbitrary: plausible },
    { weight: 1, arbitrary: hostileString },
    { weight: 1, arbitrary: wrongType },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const mixedCase = (names: string[]) =>
  fc.constantFrom(...names).chain((name) => fc.mixedCase(fc.constant(name)));
// Few names, so collisions (same stack in two cases, duplicate server names) happen often.
const stackName = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom("app", "shop", "blog", "web-1", "a", "z".repeat(63)) },
  { weight: 1, arbitrary: mixedCase(["app", "shop", "blog"]) },
);
const serviceName = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom("web", "api", "worker_1", "db.main", "s".repeat(63)) },
  { weight: 1, arbitrary: mixedCase(["web", "api"]) },
);
const uuid = fc.oneof(
  { weight: 1, arbitrary: fc.uuid() },
  {
    weight: 2,
    arbitrary: fc.constantFrom("c0ffee00-0001", "c0ffee00-0002", "C0FFEE00-0001", "abc", "0".repeat(64)),
  },
);
const ip = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `127.0.${a}.${b}`) },
  { weight: 1, arbitrary: fc.ipV4() },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "0.0.0.0",
      "256.1.1.1",
      "01.2.3.4",
      "1.2.3",
      "1.2.3.4.5",
      " 1.2.3.4",
      "1.2.3.4\n",
      "::1",
      "fe80::1",
      "1.2.3.4:80",
      "1.2.3.4 backup",
      "",
    ),
  },
);
const port = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 65535 }).map(String) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "0",
      "65536",
      "99999",
      "123456",
      "-1",
      "+80",
      "080",
      "80 ",
      " 80",
      "80\n",
      "8O",
      "1e3",
      "0x50",
      "80.0",
      "٨٠",
      "",
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: -1, max: 70000 }) },
);
const proxy = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom("send-proxy", "send-proxy-v2", "send-proxy-v2-ssl", "send-proxy-v2-ssl-cn"),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "SEND-PROXY",
      "send-proxy-v3",
      "send-proxy check",
      "send-proxy\nserver x 1.2.3.4:1",
      "",
    ),
  },
);

// map-public-tcp values: a few public ports (so stacks collide), and what is not <port>:<port>.
const tcpMapping = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom(22, 5432, 6379, 65535), fc.integer({ min: 1, max: 65535 }))
      .map(([publicPort, containerPort]) => `${publicPort}:${containerPort}`),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "5432",
      "0:80",
      "5432:0",
      "65536:80",
      "05432:80",
      "5432:80:1",
      ":80",
      "a:b",
      "",
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 65535 }) },
);

// Keys that are not fields of a container, or are in surprising ways.
const extraKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "ips", "ports", "create_index"),
  fc.string({ maxLength: 8 }),
);

// Issue 13's option labels: per option, good values, near misses and injection attempts.
const OPTION_VALUES: Readonly<Record<string, readonly string[]>> = {
  hosts: [
    "www.example.com",
    "*.example.com",
    "a.dev.tld,*.b.example",
    "*.dev.tld",
    "EXAMPLE.com",
    "*.*.x",
    "a b",
    "x.com\nbackend x",
  ],
  path: ["/api", "/api/v1", "/a.b/c/d", "/a/b/c/d", "/..", "/a b", "/a\n    server x 1.2.3.4:1", "api", "/"],
  "strip-path": ["true", "false", "yes"],
  check: ["/healthz", "/", "/a b", "/x\n    server x 1.2.3.4:1", "healthz", "/%0a"],
  balance: ["roundrobin", "leastconn", "source", "random", "static-rr", "leastconn\n    server x 1.2.3.4:1"],
  sticky: ["true", "false", "1"],
  "timeout-server": ["30s", "1h", "0s", "99999999d", "30", "1s\n"],
  "timeout-tunnel": ["1h", "2s", "5m", "x"],
  https: ["allow", "redirect", "only", "sometimes", "only\n"],
  hsts: ["600", "0", "-1", "1e9", "31536000"],
  maxconn: ["10", "0", "1000001", "x"],
};
const optionLabel = fc
  .constantFrom(...Object.keys(OPTION_VALUES))
  .chain((name) =>
    fc.tuple(
      fc.constant(name),
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...(OPTION_VALUES[name] ?? [])) },
        { weight: 1, arbitrary: field(hostileString) },
      ),
    ),
  );

const labels = (options: ModelOptions) =>
  fc
    .record({
      routing: fc.oneof(
        { weight: 2, arbitrary: fc.constant<[string, unknown][]>([]) },
        { weight: 1, arbitrary: fc.array(optionLabel, { maxLength: 4 }) },
      ),
      port: field(port),
      proxy: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: field(proxy) },
      ),
      tcp: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: field(tcpMapping) },
      ),
      tcpProxy: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: field(proxy) },
      ),
      // the option's name, or a misspelling of it (skipped as proxy-invalid)
      tcpProxyName: fc.oneof(
        { weight: 4, arbitrary: fc.constant("proxy-protocol") },
        { weight: 1, arbitrary: fc.constantFrom("proxy_protocol", "Proxy-Protocol", "proxy-protocl") },
      ),
      extra: fc.array(fc.tuple(fc.oneof(extraKey, hostileString), field(hostileString)), { maxLength: 3 }),
    })
    .map(({ port: p, proxy: x, tcp, tcpProxy, tcpProxyName, extra, routing }) => {
      const entries: [string, unknown][] = [
        ...extra,
        ...routing.map(([name, value]): [string, unknown] => [`${options.label}.${name}`, value]),
      ];
      if (p !== undefined) entries.push([options.label, p]);
      if (x !== undefined) entries.push([options.proxyLabel, x]);
      if (tcp !== undefined) entries.push([options.tcpLabel, tcp]);
      if (tcpProxy !== undefined) entries.push([`${options.tcpLabel}.${tcpProxyName}`, tcpProxy]);
      return Object.fromEntries(entries);
    });

const state = fc.oneof(
  { weight: 8, arbitrary: fc.constant("running") },
  { weight: 1, arbitrary: fc.constantFrom("stopped", "starting", "Running", "updating-running") },
);
const health = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("healthy", null) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "unhealthy",
      "reinitializing",
      "initializing",
      "Healthy",
      "updating-healthy",
      "updating-unhealthy",
    ),
  },
);

// One container-ish object: each field may be missing, null, hostile or of the wrong type.
const containerArb = (options: ModelOptions): fc.Arbitrary<unknown> =>
  fc
    .record({
      name: field(fc.constantFrom("web-1", "web-2", "App-web-1")),
      uuid: field(uuid),
      primary_ip: field(ip),
      state: field(state),
      health_state: field(health),
      stack_name: field(stackName),
      stack_uuid: field(fc.constantFrom("s1", "s2", "s3")),
      // mostly the document's own environment; another's (a linked service's) now and then
      environment_uuid: field(
        fc.oneof({ weight: 12, arbitrary: fc.constant("e1") }, { weight: 1, arbitrary: fc.constant("e2") }),
      ),
      service_name: field(serviceName),
      labels: fc.oneof({ weight: 30, arbitrary: labels(options) }, { weight: 1, arbitrary: wrongType }),
      extra: fc.array(fc.tuple(extraKey, fc.jsonValue({ maxDepth: 1 })), { maxLength: 3 }),
    })
    .map(({ extra, ...fields }) => Object.fromEntries([...extra, ...Object.entries(fields)]));

// The aliases object of /self/service/metadata/aliases: mostly lists of names, sometimes anything.
const aliasesArb: fc.Arbitrary<Record<string, unknown>> = fc
  .array(
    fc.tuple(
      // not String(): a generated object such as {"toString": 0} makes it throw (a CI run drew one)
      field(stackName).map((key) => (typeof key === "string" ? key : (JSON.stringify(key) ?? "undefined"))),
      fc.oneof(
        {
          weight: 8,
          arbitrary: fc.array(
            field(fc.constantFrom("www", "WWW", "shop", "app", "api.v2", "a.b.c", "x".repeat(70), "blog")),
            { maxLength: 4 },
          ),
        },
        { weight: 1, arbitrary: field(fc.constantFrom("www", "shop")) },
        { weight: 1, arbitrary: wrongType },
      ),
    ),
    { maxLength: 5 },
  )
  .map((entries) => Object.fromEntries(entries));

// A whole document as the model receives it: parsed from JSON text, so only JSON values and own keys.
export const documentArb = (options: ModelOptions): fc.Arbitrary<MetadataInput> =>
  fc
    .record({
      containers: fc.array(
        fc.oneof({ weight: 30, arbitrary: containerArb(options) }, { weight: 1, arbitrary: wrongType }),
        { maxLength: 24 },
      ),
      copies: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...COPY_KINDS)), { maxLength: 3 }),
      aliases: aliasesArb,
      environment: fc.oneof(
        { weight: 4, arbitrary: fc.constant("e1") },
        { weight: 1, arbitrary: fc.constant(null) },
      ),
    })
    .map(({ containers, copies, aliases, environment }) => {
      const all = [...containers];
      for (const [index, kind] of copies) {
        if (containers.length === 0) break;
        const at = index % containers.length;
        // a path twin: the source takes a valid path label too, so both ask for <stack>.<service>
        if (kind === "service-case-path" || kind === "service-path-twin")
          all[at] = withPath(all[at], options.label);
        all.push(copyContainer(all[at], kind));
      }
      return JSON.parse(JSON.stringify({ containers: all, aliases, environment })) as MetadataInput;
    });

// Near-duplicates of a container already in the document: the same object, or one field changed in case
// or value, so stack-case and server-name collisions happen often. service-case-path gives the source and
// its copy (its service upper-cased) a valid path label: two spellings of a service asking for one path
// backend (service-case-conflict), which two random path labels on such a pair made about once in 10 000
// documents, so a run of the fuzz test could miss it. service-path-twin does so with another service of
// the stack: two path backends asking for one key, the second of which no map line names.
const COPY_KINDS = [
  "same",
  "stack-case",
  "uuid-case",
  "service-case",
  "service-case-path",
  "service-path-twin",
  "other-ip",
] as const;

function copyContainer(source: unknown, kind: (typeof COPY_KINDS)[number]): unknown {
  if (typeof source !== "object" || source === null || Array.isArray(source)) return source;
  const copy: Record<string, unknown> = { ...(source as Record<string, unknown>) };
  const upper = (key: string) => {
    const value = copy[key];
    if (typeof value === "string") copy[key] = value.toUpperCase();
  };
  if (kind === "stack-case") upper("stack_name");
  if (kind === "uuid-case") upper("uuid");
  if (kind === "service-case" || kind === "service-case-path") upper("service_name");
  if (kind === "other-ip") copy["primary_ip"] = "127.0.9.9";
  if (kind === "service-path-twin" && typeof copy["service_name"] === "string")
    copy["service_name"] = `${copy["service_name"]}-twin`;
  return copy;
}

// The container with a valid path label added, when it has a labels object; anything else as it is.
function withPath(source: unknown, label: string): unknown {
  if (typeof source !== "object" || source === null || Array.isArray(source)) return source;
  const container = source as Record<string, unknown>;
  const labels = container["labels"];
  if (typeof labels !== "object" || labels === null || Array.isArray(labels)) return source;
  return { ...container, labels: { ...labels, [`${label}.path`]: "/api" } };
}

// The model options a document is rendered with: the defaults, other label keys, a very long domain.
export const OPTION_SETS: readonly ModelOptions[] = [
  {
    domain: "dev.tld",
    label: "map-public-http",
    proxyLabel: "send-proxy",
    tcpLabel: "map-public-tcp",
    backendNetworks: ["127.0.0.0/8"],
  },
  {
    domain: "apps.example.com",
    label: "io.example/port",
    proxyLabel: "io.example/proxy",
    tcpLabel: "io.example/tcp",
    backendNetworks: ["127.0.0.0/16"],
  },
  {
    domain: `${"d".repeat(63)}.${"e".repeat(63)}.${"f".repeat(63)}.tld`,
    label: "map-public-http",
    proxyLabel: "send-proxy",
    tcpLabel: "map-public-tcp",
  },
];

// The same document listed in another order: containers, alias keys and each alias list shuffled.
export function shuffleDocument(input: MetadataInput, seed: number): MetadataInput {
  const random = seededRandom(seed);
  const shuffle = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  };
  const aliases = shuffle(Object.entries(input.aliases)).map(([key, value]) => [
    key,
    Array.isArray(value) ? shuffle(value) : value,
  ]);
  return {
    containers: shuffle(input.containers),
    aliases: Object.fromEntries(aliases),
    environment: input.environment ?? null,
  };
}
