// The base config HAProxy loads lives in the private state dir: rendered from the options, or the user's
// own --config read once here (trusted: the user named it). It is never read from the shared volume;
// HAPROXY_CONFIG, when set, only receives a copy for reference (credentials masked, never read back).
import type { Logger } from "@rancher-haproxy/core";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "@rancher-haproxy/core";
import { maskSecrets } from "../haproxy/find-offending-lines.js";
import type { SyslogTarget } from "@rancher-haproxy/core";
import type { HaproxySelf } from "../model/haproxy-build.js";
import type { ReloaderOptions } from "../options/reloader-options.js";
import type { StateLayout } from "../output/snapshot-layout.js";
import { certificatePaths } from "../certs/render/render-crt-list.js";
import { clashingSections, describeSection, type ReadSections } from "../model/clashing-sections.js";
import { configWords } from "../model/config-words.js";
import type { BaseConfigInput } from "../render/base-config-input.js";
import { renderBaseConfig } from "../render/render-base-config.js";
import { readInputFile } from "../sources/read-inputs.js";
import { StartupError } from "../startup-error.js";
import { checkReferenceCopy } from "./check-reference-copy.js";
import { defaultMaxconn } from "./default-maxconn.js";
import type { RunAs } from "./resolve-run-as.js";

// Write <state>/haproxy.cfg (0600), rendered from the options or copied from the user's --config (whose
// sections are read with `self`, what HAProxy knows of itself); returns the copy's bytes and the sections a
// generated backend's name could clash with, read here to warn about them (null for a rendered base
// config): the snapshot store does not read them again from those bytes.
export async function prepareBaseConfig(
  options: ReloaderOptions,
  log: SyslogTarget,
  runAs: RunAs | null,
  layout: StateLayout,
  logger: Logger,
  self?: HaproxySelf,
): Promise<ReadSections | null> {
  if (options.userConfig) {
    const read = await readInputFile(options.userConfig, true);
    if (!read.ok)
      throw new StartupError(`--config / HAPROXY_USER_CONFIG=${options.userConfig} ${read.reason}`);
    // Copied byte for byte (HAProxy reads bytes: a Latin-1 byte in a header value stays that byte); the
    // text, as UTF-8, is only read here for warnings and sections.
    await writeFileAtomic(layout.baseConfig, read.bytes, 0o600);
    const own = read.bytes.toString("utf8");
    logger.info(
      { event: "base-config.user", path: options.userConfig, copiedTo: layout.baseConfig },
      "using your own base config as is (read once: restart the reloader to apply an edit)",
    );
    const mounted = options.ssl.certFile;
    if (mounted !== null && namesFile(own, mounted))
      logger.warn(
        { event: "base-config.binds-mounted-cert", path: options.userConfig, certFile: mounted },
        `your --config names HAPROXY_SSL_CERT (${mounted}) itself: a renewal then ends in a reload and a broken edit fails every check; name ${options.ssl.certPath}, the checked copy, instead (docs/tls.md)`,
      );
    const clashing = clashingSections(own, options.environment, self);
    if (clashing.length > 0)
      logger.warn(
        {
          event: "base-config.section-name-clash",
          path: options.userConfig,
          sections: clashing.map((section) => ({
            section: `${section.kind} ${section.name}`,
            line: section.line,
          })),
        },
        `your --config names ${clashing.map(describeSection).join(", ")} as a stack's backend could be ` +
          "named (HAProxy keeps one name space for backend, listen and log-forward sections): while a stack " +
          "of that name is routed, its backend and its domain.map lines are left out (inputs.section-clash); " +
          "give your sections names with a `_`",
      );
    if (options.tcpPorts.length > 0)
      logger.warn(
        { event: "base-config.tcp-ports-ignored", tcpPorts: options.tcpPorts },
        "TCP_PORTS has no effect with --config: bind each port in a `frontend tcp_<port>` of your own config",
      );
    // The bytes written, the same the snapshot store is handed (read back from the copy).
    return { bytes: read.bytes, sections: clashing };
  }
  if (options.haproxyConfig !== null)
    await checkReferenceCopy(options.haproxyConfig, layout.dir, [options.backendConfig, options.domainMap]);
  const text = renderBaseConfig(baseConfigInput(options, log, layout, runAs));
  await writeFileAtomic(layout.baseConfig, text, 0o600);
  logger.info({ event: "base-config.written", path: layout.baseConfig }, "base config rendered");
  if (options.haproxyConfig === null) return null;
  // Written, never read: a FIFO or symlink an attacker put there is replaced by the rename, not followed.
  const copyPath = options.haproxyConfig;
  try {
    await mkdir(dirname(copyPath), { recursive: true });
    await writeFileAtomic(copyPath, referenceCopy(text, layout.baseConfig), 0o644);
    logger.info(
      { event: "base-config.copied", path: copyPath },
      "a copy of the base config for reference (HAPROXY_CONFIG: never read back)",
    );
  } catch (error) {
    logger.warn(
      { event: "base-config.copy-failed", path: copyPath, err: String(error) },
      "cannot write the reference copy of the base config (HAPROXY_CONFIG); HAProxy is not affected",
    );
  }
  return null;
}

// What the rendered base config depends on: the options, the resolved syslog target, the state dir.
function baseConfigInput(
  options: ReloaderOptions,
  log: SyslogTarget,
  layout: StateLayout,
  runAs: RunAs | null,
): BaseConfigInput {
  return {
    bindAddress: options.bindAddress,
    httpPort: options.httpPort,
    tcpPorts: options.tcpPorts,
    https: options.ssl.enabled
      ? {
          port: options.ssl.port,
          certPath: options.ssl.certPath,
          redirect: options.ssl.redirect,
          crtList: certificatePaths(layout.dir).crtList,
          strictSni: options.ssl.strictSni,
        }
      : null,
    stats: options.stats.enabled
      ? { port: options.stats.port, username: options.stats.username, password: options.stats.password }
      : null,
    log,
    facility: options.syslogFacility,
    adminSocket: layout.adminSocket,
    hardStopAfterMs: options.hardStopAfterMs,
    maxconn: options.maxconn ?? defaultMaxconn(),
    runAs,
  };
}

function referenceCopy(text: string, loaded: string): string {
  return (
    `# A copy for reference, credentials masked: HAProxy loads ${loaded}, rendered at each start.\n` +
    "# Edits here have no effect. Pass --config to use your own base config.\n" +
    maskSecrets(text)
  );
}

// Whether a line of `config` that is not a comment names the file at `path`: as a word, quoted or not, as
// `${HAPROXY_SSL_CERT}` (HAProxy expands the variable it inherits), or as the directory holding it after
// `crt` (HAProxy then loads every file in it). A warning only: a crt-list naming it is not looked into.
function namesFile(config: string, path: string): boolean {
  const dir = dirname(path);
  return config.split("\n").some((line) => {
    const words = configWords(line);
    return words.some(
      (word, index) =>
        word === path ||
        SSL_CERT_VARIABLE.test(word) ||
        (words[index - 1] === "crt" && (word === dir || word === `${dir}/`)),
    );
  });
}

const SSL_CERT_VARIABLE = /^\$(?:HAPROXY_SSL_CERT|\{HAPROXY_SSL_CERT\})$/;
