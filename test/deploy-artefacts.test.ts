// The deploy files checked without a Docker engine: docker-compose.yml, rancher-compose.yml,
// docker-compose.example-app.yml, the Dockerfile and docker-entrypoint.sh must agree with each other and
// with what the two programs really read (their option tables, imported, not copied), the
// entrypoint's dispatch is run for real against this checkout, and each service's program, run with the
// service's environment on a pseudo-terminal, logs JSON lines.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import {
  READS,
  ROOT,
  commandOf,
  dockerfile,
  entrypointDispatch,
  environment,
  readCompose,
  readRootFile,
  type Service,
} from "./helpers/deploy-files.ts";
import { execForm, finalStage, parseEnv } from "./helpers/dockerfile.ts";
import { resolveOptions } from "@rancher-haproxy/reloader";
import { chooseEntry, describeFor, optionRowsOf } from "@rancher-haproxy/core";

const compose = readCompose("docker-compose.yml");
const rancherCompose = readCompose("rancher-compose.yml");
const exampleApp = readCompose("docker-compose.example-app.yml");
const entrypoint = readRootFile("docker-entrypoint.sh");
const dispatch = entrypointDispatch(entrypoint);
const generateMapsEnv = READS["generate-maps"];
const reloaderEnv = READS.reloader;
const imageEnv: Record<string, string> = Object.assign(
  {},
  ...finalStage(dockerfile, "ENV").map((env) => parseEnv(env.args)),
);
const PRIMARY = "HTTP";

function service(name: string): Service {
  const found = compose[name];
  assert.ok(found, `docker-compose.yml has service ${name}`);
  return found;
}

function sidekickNames(): string[] {
  const label = service(PRIMARY).labels?.["io.rancher.sidekicks"];
  assert.equal(typeof label, "string", "HTTP has the io.rancher.sidekicks label");
  return String(label)
    .split(",")
    .map((name) => name.trim());
}

test("the sidekick named by io.rancher.sidekicks exists, shares the image, and HTTP mounts its volume", () => {
  const sidekicks = sidekickNames();
  assert.deepEqual(sidekicks, ["HTTP-generate-maps"]);
  for (const name of sidekicks) {
    const sidekick = service(name);
    assert.equal(sidekick.image, service(PRIMARY).image, `${name} runs the same image`);
    assert.deepEqual(service(PRIMARY).volumes_from, [name], "HTTP mounts the sidekick's volumes");
    assert.ok((sidekick.volumes ?? []).length > 0, `${name} declares the shared volume`);
  }
  assert.deepEqual(Object.keys(compose).sort(), [PRIMARY, ...sidekicks].sort(), "no other service");
});

// The program a compose service runs, through the entrypoint's dispatch.
function programOf(name: string): "generate-maps" | "reloader" {
  const command = commandOf(service(name));
  assert.ok(command && command.length > 0, `${name} has a command (its own or the image's CMD)`);
  const program = dispatch.get(command[0]!);
  assert.ok(program, `${name}'s command ${command[0]} is an entrypoint case that runs a program`);
  return program;
}

test("each service's command is a case of the entrypoint, which the image's ENTRYPOINT runs", () => {
  assert.deepEqual(Object.fromEntries(dispatch), {
    "generate-maps": "generate-maps",
    haproxy: "reloader",
    reloader: "reloader",
  });
  assert.deepEqual(commandOf(service(PRIMARY)), ["haproxy"], "HTTP runs the image's CMD");
  assert.deepEqual(Object.fromEntries(Object.keys(compose).map((name) => [name, programOf(name)])), {
    HTTP: "reloader",
    "HTTP-generate-maps": "generate-maps",
  });

  const entry = finalStage(dockerfile, "ENTRYPOINT").at(-1);
  assert.ok(entry, "the Dockerfile has an ENTRYPOINT");
  const argv = execForm(entry.args);
  assert.equal(argv[0], "/usr/bin/tini", "tini (PID 1) runs the entrypoint");
  const runs = finalStage(dockerfile, "RUN").map((run) => run.args);
  assert.ok(
    runs.some((run) => /apt-get install[^&]*\btini\b/.test(run)),
    "the image installs tini",
  );
  assert.equal(argv.at(-1), "/docker-entrypoint.sh");
  const copies = finalStage(dockerfile, "COPY").map((copy) => copy.args.split(/\s+/));
  assert.ok(
    copies.some((words) => words[0] === "docker-entrypoint.sh" && words[1] === argv.at(-1)),
    "the entrypoint script is copied to where ENTRYPOINT runs it",
  );
  assert.ok((statSync(join(ROOT, "docker-entrypoint.sh")).mode & 0o111) !== 0, "it is executable");
});

test("every environment variable of the compose services and the Dockerfile is read by its program", () => {
  for (const name of Object.keys(compose)) {
    const program = programOf(name);
    const unread = Object.keys(environment(service(name))).filter((key) => !READS[program].has(key));
    assert.deepEqual(unread, [], `${name} (${program}) sets variables it never reads`);
  }
  assert.ok(Object.keys(imageEnv).length >= 5, "the ENV instruction was parsed");
  const unread = Object.keys(imageEnv).filter((key) => !generateMapsEnv.has(key) && !reloaderEnv.has(key));
  assert.deepEqual(unread, [], "the Dockerfile's ENV sets variables neither program reads");
});

// The values the image gives variables besides the Dockerfile's ENV: the entrypoint's defaults
// (`is_given "${NAME:-}" || NAME=value`), with the words the option's description must use for them.
const entrypointDefaults = [...entrypoint.matchAll(/is_given "\$\{(\w+):-\}" \|\| \1=(\S+)/g)].map(
  ([, key = "", value = ""]) => ({ key, value, words: `entrypoint sets ${value}` }),
);

test("a variable the image sets away from its program's default says so in its option's description", () => {
  const programs = ["generate-maps", "reloader"] as const;
  const fromImage = Object.entries(imageEnv).map(([key, value]) => ({
    key,
    value,
    words: `the image sets ${value}`,
  }));
  const changed = [...fromImage, ...entrypointDefaults].filter(({ key, value }) =>
    programs.some((program) => READS[program].has(key) && READS[program].get(key) !== value),
  );
  assert.ok(changed.length >= 3, `found ${changed.map(({ key }) => key).join(", ")}`);
  const silent = changed.filter(({ key, words }) =>
    programs.some((program) =>
      optionRowsOf(program).some(([, row]) => row.env === key && !describeFor(row, program).includes(words)),
    ),
  );
  assert.deepEqual(
    silent.map(({ key, words }) => `${key}: "${words}"`),
    [],
    "the option tables (docs/options.md, --help) would give the program's default as the image's",
  );
});

// The variables naming what both processes must see alike: the two shared files and the metadata service.
const SHARED_CONTRACT = [
  "HAPROXY_DOMAIN_MAP",
  "HAPROXY_BACKEND_CONFIG",
  "RANCHER_API_HOST",
  "RANCHER_API_VERSION",
];

test("both programs default to the same shared files and metadata service, and so does the image", () => {
  for (const key of SHARED_CONTRACT) {
    assert.ok(generateMapsEnv.has(key) && reloaderEnv.has(key), `both programs read ${key}`);
    assert.equal(reloaderEnv.get(key), generateMapsEnv.get(key), `the default of ${key}`);
    if (key in imageEnv) assert.equal(imageEnv[key], generateMapsEnv.get(key), `the image's ${key}`);
  }
});

test("the shared volume is the directory of both programs' default file paths", () => {
  const paths = [
    generateMapsEnv.get("HAPROXY_DOMAIN_MAP"),
    generateMapsEnv.get("HAPROXY_BACKEND_CONFIG"),
    reloaderEnv.get("HAPROXY_DOMAIN_MAP"),
    reloaderEnv.get("HAPROXY_BACKEND_CONFIG"),
  ];
  const dirs = new Set(paths.map((path) => dirname(String(path))));
  assert.equal(dirs.size, 1, `one directory: ${[...dirs].join(", ")}`);
  const [volume] = dirs;
  for (const name of sidekickNames()) assert.deepEqual(service(name).volumes, [volume]);
  const declared = finalStage(dockerfile, "VOLUME").flatMap((instruction) => execForm(instruction.args));
  assert.deepEqual(declared, [volume], "the Dockerfile's VOLUME");
  const run = finalStage(dockerfile, "RUN")
    .map((instruction) => instruction.args)
    .join("\n");
  for (const dir of [volume, reloaderEnv.get("RELOADER_STATE_DIR")])
    assert.ok(run.includes(`mkdir -p`) && run.includes(String(dir)), `the image creates ${dir}`);
  // The base config and the TLS PEM HAProxy loads live in the private state dir, never in the volume.
  const stateDir = String(reloaderEnv.get("RELOADER_STATE_DIR"));
  assert.ok(!stateDir.startsWith(`${String(volume)}/`), "the state dir is outside the volume");
  for (const key of ["HAPROXY_CONFIG", "HAPROXY_SSL_CERT"])
    assert.ok(!(key in imageEnv), `the image leaves ${key} unset (default: the private state dir)`);
});

test("the published ports are HAProxy's HTTP, HTTPS and stats ports (the image also exposes the status ports)", () => {
  const env = environment(service(PRIMARY));
  const expected = [
    reloaderEnv.get("HTTP_PORT"),
    reloaderEnv.get("HTTPS_PORT"),
    env["STATS_PORT"] ?? reloaderEnv.get("STATS_PORT"),
  ].map(Number);
  const published = (service(PRIMARY).ports ?? []).map((port) =>
    Number(/(?:^|:)(\d+)(?:\/tcp)?$/.exec(port)?.[1]),
  );
  assert.deepEqual(published.sort(), [...expected].sort());
  const exposed = finalStage(dockerfile, "EXPOSE").flatMap((instruction) =>
    instruction.args.split(/\s+/).map(Number),
  );
  // The image also documents both status listeners (issue 6), at the programs' default ports.
  const status = [generateMapsEnv.get("STATUS_PORT"), reloaderEnv.get("STATUS_PORT")].map(Number);
  assert.deepEqual(exposed.sort(), [...expected, ...status].sort(), "the Dockerfile's EXPOSE");
});

test("rancher-compose.yml gives the proxy service aliases (stack → DNS names), ssl_cert and ssl_key", () => {
  const dnsName = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
  const dnsLabel = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
  assert.deepEqual(Object.keys(rancherCompose), [PRIMARY], "metadata on the primary (Cattle copies it)");
  const metadata = rancherCompose[PRIMARY]?.metadata ?? {};
  const aliases = metadata["aliases"];
  assert.ok(aliases !== null && typeof aliases === "object" && !Array.isArray(aliases), "aliases is a map");
  assert.ok(Object.keys(aliases).length > 0);
  for (const [stack, names] of Object.entries(aliases as Record<string, unknown>)) {
    assert.match(stack, dnsLabel, "an alias map key is a stack name");
    assert.ok(Array.isArray(names) && names.length > 0, `${stack}: a list of names`);
    for (const name of names) assert.match(String(name), dnsName, `${stack}: alias ${String(name)}`);
  }
  assert.match(String(metadata["ssl_cert"]), /-----BEGIN CERTIFICATE-----[\s\S]*-----END CERTIFICATE-----/);
  assert.match(String(metadata["ssl_key"]), /-----BEGIN PRIVATE KEY-----[\s\S]*-----END PRIVATE KEY-----/);
});

test("rancher-compose.yml health-checks the reloader's /healthz without ever recreating the proxy", () => {
  const check = rancherCompose[PRIMARY]?.health_check ?? {};
  const reloaderStatusPort =
    environment(service(PRIMARY))["STATUS_PORT"] ?? imageEnv["STATUS_PORT"] ?? reloaderEnv.get("STATUS_PORT");
  assert.equal(check["port"], Number(reloaderStatusPort), "the reloader's status port");
  assert.equal(imageEnv["STATUS_BIND"], "0.0.0.0", "the image listens where Rancher's checker can reach it");
  assert.match(String(check["request_line"]), /^GET \/healthz HTTP\/1\.[01]$/);
  // A 503 there can mean refused files while the old config serves: recreating would cut that traffic.
  assert.equal(check["strategy"], "none");
});

test("the example app uses the label generate-maps reads, with a port value", () => {
  const label =
    environment(service("HTTP-generate-maps"))["RANCHER_LABEL"] ?? generateMapsEnv.get("RANCHER_LABEL");
  assert.equal(label, generateMapsEnv.get("RANCHER_LABEL"), "the compose file keeps the default label");
  const services = Object.values(exampleApp);
  assert.ok(services.length > 0);
  for (const svc of services) {
    const value = svc.labels?.[String(label)];
    assert.equal(typeof value, "string", "labels are strings (quoted in YAML)");
    assert.match(String(value), /^\d{1,5}$/);
  }
});

test("the example app's scale and health check are in its rancher-compose file, as Rancher 1.6 reads them", () => {
  const rancherApp = readCompose("rancher-compose.example-app.yml");
  assert.deepEqual(Object.keys(rancherApp).sort(), Object.keys(exampleApp).sort(), "the same services");
  for (const [name, svc] of Object.entries(exampleApp)) {
    const fields = svc as Record<string, unknown>;
    assert.equal(fields["scale"], undefined, `${name}: no scale in the docker-compose file`);
    assert.equal(fields["health_check"], undefined, `${name}: no health_check in the docker-compose file`);
    assert.ok(rancherApp[name]?.health_check, `${name}: a health check in the rancher-compose file`);
  }
});

test("docker-entrypoint.sh dispatches generate-maps, haproxy/reloader and anything else, for real", () => {
  const app = join(ROOT, "packages");
  const workdir = finalStage(dockerfile, "WORKDIR").at(-1)?.args;
  assert.ok(entrypoint.includes(`RANCHER_HAPROXY_APP:-${workdir}/packages}`), "APP is the image's");
  const copied = finalStage(dockerfile, "COPY").some((copy) => / \.\/packages$/.test(copy.args));
  assert.ok(copied, "the image copies the packages into its WORKDIR");
  for (const bin of ["generate-maps/bin/generate-maps.js", "reloader/bin/reloader.js"]) {
    assert.ok(entrypoint.includes(`$APP/${bin}`), `the entrypoint runs ${bin}`);
    assert.ok(existsSync(join(app, bin)), `${bin} exists`);
  }
  const run = (...args: string[]) =>
    spawnSync("sh", [join(ROOT, "docker-entrypoint.sh"), ...args], {
      env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", RANCHER_HAPROXY_APP: app, SYSLOG_HOST: "stdout" },
      encoding: "utf8",
      timeout: 30_000,
    });

  const generator = run("generate-maps", "--help");
  assert.equal(generator.status, 0, generator.stderr);
  assert.match(generator.stdout, /^generate-maps \[options\]/);
  assert.match(generator.stdout, /STACK_DOMAIN/);
  for (const command of ["haproxy", "reloader"]) {
    const reloader = run(command, "--help");
    assert.equal(reloader.status, 0, reloader.stderr);
    assert.match(reloader.stdout, /^reloader \[flags\]/, `${command} runs the reloader`);
  }
  const missing = run("generate-maps");
  assert.equal(missing.status, 2, "the program's exit code comes through (exec)");
  assert.match(missing.stderr, /STACK_DOMAIN is required/);
  const other = run("node", "-e", "console.log(process.argv.slice(1).join(' '))", "a", "b c");
  assert.equal(other.status, 0);
  assert.equal(other.stdout, "a b c\n", "anything else is executed with its arguments");
});

// Test values for the compose files' variable references (what `rancher up` fills in).
const ANSWERS: Record<string, string> = {
  STACK_DOMAIN: "dev.example.com",
  STATS_USERNAME: "ops",
  STATS_PASSWORD: "a-stats-password",
};

// `'text'` for sh.
const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

test("both services log JSON lines, also on a terminal: no tty: true, LOG_FORMAT=json, checked for real", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "rh-deploy-logs-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const name of Object.keys(compose)) {
    const svc = service(name);
    assert.notEqual(svc.tty, true, `${name}: tty: true switches its logs to pretty text`);
    assert.equal(environment(svc)["LOG_FORMAT"], "json", `${name} sets LOG_FORMAT=json`);
    const program = programOf(name);
    assert.ok(READS[program].has("LOG_FORMAT"), `${program} reads LOG_FORMAT`);

    // The program run by the entrypoint with the service's environment, under a pseudo-terminal (what
    // tty: true gives it), against a metadata address that refuses: it logs and exits on its own.
    const env: Record<string, string> = {
      PATH: `${process.env["PATH"] ?? "/usr/bin:/bin"}:/usr/sbin`,
      RANCHER_HAPROXY_APP: join(ROOT, "packages"),
      ...Object.fromEntries(
        Object.entries(environment(svc)).map(([key, value]) => [
          key,
          value.replace(/\$\{(\w+)\}/g, (_, ref: string) => ANSWERS[ref] ?? ""),
        ]),
      ),
      RANCHER_API_HOST: "127.0.0.1:1",
      STATUS_PORT: "off",
      SYSLOG_HOST: "stdout",
      HAPROXY_DOMAIN_MAP: join(dir, name, "domain.map"),
      HAPROXY_BACKEND_CONFIG: join(dir, name, "haproxy-backends.cfg"),
      HAPROXY_CONFIG: join(dir, name, "haproxy.cfg"),
      RELOADER_STATE_DIR: join(dir, name, "state"),
      HAPROXY_BIN: "/bin/false",
    };
    const argv = [
      "env",
      "-i",
      ...Object.entries(env).map(([key, value]) => `${key}=${value}`),
      "sh",
      join(ROOT, "docker-entrypoint.sh"),
      ...commandOf(svc)!,
      ...(program === "generate-maps" ? ["--once"] : []),
    ];
    const run = spawnSync("script", ["-qec", argv.map(shellQuote).join(" "), "/dev/null"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    const lines = run.stdout.split(/\r?\n/).filter((line) => line.trim() !== "");
    assert.ok(lines.length >= 2, `${name}: it logged on the terminal\n${run.stdout}${run.stderr}`);
    for (const line of lines) {
      let parsed: unknown;
      assert.doesNotThrow(() => (parsed = JSON.parse(line)), `${name}: a JSON line, not ${line}`);
      assert.equal((parsed as { name?: unknown }).name, program, line);
    }
  }
});

test("the image's graceful stop ends within Docker's 10 s stop grace (stop timeout + 3 s to SIGKILL)", () => {
  const value = imageEnv["RELOADER_STOP_TIMEOUT"];
  assert.ok(value, "the Dockerfile sets RELOADER_STOP_TIMEOUT");
  const options = resolveOptions({}, { RELOADER_STOP_TIMEOUT: value });
  assert.ok(options.stopTimeoutMs + 3000 < 10_000, `${value} + 3 s is within 10 s`);
});

test("each program runs its bundle: the image makes it before dropping the dev packages, `npm run build` too", () => {
  // The build stage: bundling needs esbuild, a dev dependency, and the compiled dist/ it bundles.
  const build = dockerfile.filter((instruction) => instruction.stage === 0);
  const copied = build.some((copy) => copy.keyword === "COPY" && /^scripts\/bundle\.mjs /.test(copy.args));
  assert.ok(copied, "the build stage copies scripts/bundle.mjs");
  const run = build.find((instruction) => instruction.keyword === "RUN")?.args ?? "";
  const steps = ["npx tsc -b", "node scripts/bundle.mjs", "npm prune --omit=dev"].map((step) =>
    run.indexOf(step),
  );
  assert.ok(
    steps.every((at, i) => at >= 0 && at > (steps[i - 1] ?? -1)),
    `compile, bundle, prune: ${run}`,
  );
  // This checkout, built by `npm test` (`npm run build`): both bins choose their bundle.
  for (const program of ["generate-maps", "reloader"]) {
    const chosen = chooseEntry(pathToFileURL(join(ROOT, "packages", program, "/")));
    assert.ok(
      chosen.pathname.endsWith("/dist/bundle/cli.js"),
      `${program}: ${chosen.pathname} (run npm run build)`,
    );
  }
});
