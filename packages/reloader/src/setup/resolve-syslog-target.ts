// Where HAProxy logs: SYSLOG_HOST when given, else the host's agent IP from metadata (as the original
// did), else HAProxy's stdout when the metadata service cannot be reached.
import { parseSyslogHost, type Logger, type MetadataClient, type SyslogTarget } from "@rancher-haproxy/core";
import { readAgentIp } from "../sources/read-self-metadata.js";

// Resolve the target once at start-up.
export async function resolveSyslogTarget(
  configured: SyslogTarget | null,
  client: MetadataClient,
  logger: Logger,
): Promise<SyslogTarget> {
  if (configured) return configured;
  try {
    const agentIp = await readAgentIp(client);
    const parsed = parseSyslogHost(agentIp);
    if (parsed?.kind === "udp") {
      logger.info(
        { event: "syslog.target", source: "metadata", host: agentIp },
        "logging to the host's agent IP",
      );
      return parsed;
    }
    logger.warn(
      { event: "syslog.target", source: "stdout", agentIp },
      "agent_ip is not an address: HAProxy logs to stdout",
    );
  } catch (error) {
    logger.warn(
      { event: "syslog.target", source: "stdout", err: String(error) },
      "SYSLOG_HOST unset and metadata unreachable: HAProxy logs to stdout",
    );
  }
  return { kind: "stdout" };
}
