// Where HAProxy logs: SYSLOG_HOST when given, else the host's agent IP from metadata (as the original
// did), else HAProxy's stdout when the metadata service cannot be reached or its answer is no address.
import {
  isConfigAddress,
  MetadataError,
  type Logger,
  type MetadataClient,
  type SyslogTarget,
} from "@rancher-haproxy/core";
import { readAgentIp } from "../sources/read-self-metadata.js";
import { noLogHostKind } from "./no-log-host-kind.js";

// Resolve the target once at start-up. Metadata's agent_ip must be an IP address literal: HAProxy
// resolves a name while it parses the config, so a name that does not resolve (or stops resolving)
// would fail every `haproxy -c` of every snapshot, the empty-routing one included; so would an IPv6
// zone (`fe80::1%eth0`), which HAProxy refuses as an address. Nor may it be an address no host has (a
// multicast, broadcast, unspecified or reserved one: noLogHostKind).
export async function resolveSyslogTarget(
  configured: SyslogTarget | null,
  client: MetadataClient,
  logger: Logger,
): Promise<SyslogTarget> {
  if (configured) return configured;
  try {
    const agentIp = await readAgentIp(client);
    const kind = isConfigAddress(agentIp) ? noLogHostKind(agentIp) : undefined;
    if (kind !== undefined) {
      logger.warn(
        { event: "syslog.target", source: "stdout", agentIp },
        `agent_ip is ${kind}, no host's address: HAProxy logs to stdout`,
      );
      return { kind: "stdout" };
    }
    if (isConfigAddress(agentIp)) {
      logger.info(
        { event: "syslog.target", source: "metadata", host: agentIp },
        "logging to the host's agent IP",
      );
      return { kind: "udp", host: agentIp, port: null };
    }
    logger.warn(
      { event: "syslog.target", source: "stdout", agentIp: agentIp.slice(0, 200) },
      "agent_ip is not an IP address: HAProxy logs to stdout",
    );
  } catch (error) {
    // The kind says why (a `too-large` or trickled answer is no unreachable service); `err` says the rest.
    const why = error instanceof MetadataError ? error.kind : "unreachable";
    logger.warn(
      { event: "syslog.target", source: "stdout", err: String(error) },
      `SYSLOG_HOST unset and self/host/agent_ip not read (${why}): HAProxy logs to stdout`,
    );
  }
  return { kind: "stdout" };
}
