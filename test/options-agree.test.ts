// Both programs read the shared variables through core's one option table, so the same command line and
// environment get the same answer from both: the API version, a bracketed IPv6 metadata host, paths
// with spaces, a repeated flag, an unknown flag and a bad value (the last ones through the real CLIs).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { repoPath } from "@rancher-haproxy/test-support";
import { parseOptions } from "@rancher-haproxy/generate-maps";
import { parseReloaderCommandLine, resolveOptions } from "@rancher-haproxy/reloader";

type Answer =
  | { ok: true; apiHost: string; apiVersion: string; map: string; backends: string }
  | { ok: false; error: string };

async function generateMaps(argv: string[], env: NodeJS.ProcessEnv): Promise<Answer> {
  try {
    const parsed = await parseOptions(argv, { STACK_DOMAIN: "dev.tld", ...env });
    if (parsed.kind !== "run") return { ok: false, error: "help" };
    const { apiHost, apiVersion, domainMapPath: map, backendsPath: backends } = parsed.options;
    return { ok: true, apiHost, apiVersion, map, backends };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

async function reloader(argv: string[], env: NodeJS.ProcessEnv): Promise<Answer> {
  try {
    const commandLine = await parseReloaderCommandLine(argv);
    if (commandLine.kind !== "run") return { ok: false, error: "help" };
    const options = resolveOptions(commandLine.flags, env);
    const {
      rancherApiHost: apiHost,
      rancherApiVersion: apiVersion,
      domainMap: map,
      backendConfig: backends,
    } = options;
    return { ok: true, apiHost, apiVersion, map, backends };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

// Both answers, which must be equal; returns the common one.
async function same(argv: string[], env: NodeJS.ProcessEnv): Promise<Answer> {
  const [a, b] = [await generateMaps(argv, env), await reloader(argv, env)];
  assert.deepEqual(a, b, `${JSON.stringify(argv)} ${JSON.stringify(env)}`);
  return a;
}

test("RANCHER_API_VERSION: both accept exactly what rancher-metadata serves", async () => {
  for (const version of ["2015-07-25", "2015-12-19", "2016-07-29", "latest"]) {
    const answer = await same([], { RANCHER_API_VERSION: version });
    assert.ok(answer.ok && answer.apiVersion === version, version);
    assert.deepEqual(await same(["--api-version", version], {}), answer);
    assert.deepEqual(await same(["--rancher-api-version", version], {}), answer);
  }
  for (const blank of ["", "  "]) {
    const answer = await same([], { RANCHER_API_VERSION: blank });
    assert.ok(answer.ok && answer.apiVersion === "2015-12-19", "a blank variable counts as unset");
  }
  for (const version of ["2099-01-01", "2016-01-01", "v1", "LATEST!"]) {
    const answer = await same([], { RANCHER_API_VERSION: version });
    assert.ok(
      !answer.ok && answer.error.startsWith(`invalid RANCHER_API_VERSION ${JSON.stringify(version)}: `),
    );
  }
});

test("RANCHER_API_HOST: both accept a bracketed IPv6 host, and refuse the same malformed ones", async () => {
  for (const host of [
    "[::1]",
    "[::1]:8080",
    "[fd00::1]:80",
    "127.0.0.1:8080",
    "rancher-metadata.rancher.internal",
  ]) {
    const answer = await same([], { RANCHER_API_HOST: host });
    assert.ok(answer.ok && answer.apiHost === host, host);
    assert.deepEqual(await same(["--api-host", host], {}), answer);
  }
  for (const host of ["::1", "[::1", "[localhost]:80", "[::1]:70000", "http://x", "host/path", "a b"]) {
    const answer = await same([], { RANCHER_API_HOST: host });
    assert.ok(
      !answer.ok && answer.error.startsWith(`invalid RANCHER_API_HOST ${JSON.stringify(host)}: `),
      host,
    );
  }
});

test("HAPROXY_DOMAIN_MAP and HAPROXY_BACKEND_CONFIG: both accept paths with spaces, both refuse quotes", async () => {
  const env = {
    HAPROXY_DOMAIN_MAP: "/srv/my maps/domain.map",
    HAPROXY_BACKEND_CONFIG: "/srv/my maps/backends #1.cfg",
  };
  assert.deepEqual(await same([], env), {
    ok: true,
    apiHost: "rancher-metadata.rancher.internal",
    apiVersion: "2015-12-19",
    map: "/srv/my maps/domain.map",
    backends: "/srv/my maps/backends #1.cfg",
  });
  const flags = [
    "--domain-map",
    "/srv/my maps/domain.map",
    "--backend-config",
    "/srv/my maps/backends #1.cfg",
  ];
  assert.deepEqual(await same(flags, {}), await same([], env));
  const quoted = await same([], { HAPROXY_DOMAIN_MAP: "/srv/it's/domain.map" });
  assert.ok(!quoted.ok && quoted.error.startsWith(`invalid HAPROXY_DOMAIN_MAP "/srv/it's/domain.map": `));
});

test("a flag given twice, under one name or two, is refused by both", async () => {
  assert.deepEqual(await same(["--domain-map", "/a", "--domain-map", "/b"], {}), {
    ok: false,
    error: "--domain-map is given more than once",
  });
  assert.deepEqual(await same(["--api-host", "a", "--rancher-api-host", "b"], {}), {
    ok: false,
    error: "--api-host and --rancher-api-host are the same option, given more than once",
  });
  assert.deepEqual(await same(["--bogus"], {}), { ok: false, error: "Unknown argument: bogus (see --help)" });
});

const BINS = {
  "generate-maps": repoPath("packages", "generate-maps", "bin", "generate-maps.js"),
  reloader: repoPath("packages", "reloader", "bin", "reloader.js"),
};

// Runs both real commands with a clean environment (nothing inherited but PATH).
function runBoth(args: string[], env: Record<string, string> = {}) {
  return Object.entries(BINS).map(([name, bin]) => {
    const result = spawnSync(process.execPath, [bin, ...args], {
      env: { PATH: process.env["PATH"] ?? "", STACK_DOMAIN: "dev.tld", SYSLOG_HOST: "stdout", ...env },
      encoding: "utf8",
      timeout: 30_000,
    });
    return { name, status: result.status, stdout: result.stdout, stderr: result.stderr };
  });
}

test("both commands exit 2 with one line on stderr for an unknown flag, a repeated flag and a bad variable", () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["--bogus"], {}, /^Unknown argument: bogus \(see --help\)$/],
    [["--log-level", "info", "--log-level", "debug"], {}, /^--log-level is given more than once$/],
    [[], { RANCHER_API_VERSION: "2099-01-01" }, /^invalid RANCHER_API_VERSION "2099-01-01": must be one of /],
    [[], { LOG_LEVEL: "loud" }, /^invalid LOG_LEVEL "loud": must be fatal, error/],
  ];
  for (const [args, env, message] of cases)
    for (const run of runBoth(args, env)) {
      const where = `${run.name} ${JSON.stringify(args)} ${JSON.stringify(env)}`;
      assert.equal(run.status, 2, `${where}: ${run.stderr}`);
      assert.equal(run.stdout, "", where);
      assert.match(run.stderr, new RegExp(`^${run.name}: [^\\n]*\\n$`), `${where}: one line`);
      assert.match(run.stderr.slice(run.name.length + 2, -1), message, where);
    }
});

test("--help prints the help and exits 0 in both", () => {
  for (const run of runBoth(["--help"])) {
    assert.equal(run.status, 0, run.name);
    assert.match(run.stdout, /RANCHER_API_VERSION/, run.name);
    assert.match(run.stdout, /--rancher-api-host/, run.name);
    assert.equal(run.stderr, "", run.name);
  }
});
