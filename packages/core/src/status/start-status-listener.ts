// The status listener as both sidekicks run it: off when STATUS_PORT=off, `status.listening` with the
// bound port (0 asks for any free one), and a bind failure that is logged but never stops routing.
import type { Logger } from "pino";
import type { ConnectionDrops } from "./connection-drops.js";
import { startStatusServer } from "./start-status-server.js";
import type { StatusServer } from "./status-server.js";
import type { StatusRoutes } from "./status-response.js";
import type { StatusSettings } from "./status-settings.js";

// Starts the listener, or returns null when it is disabled or cannot listen (logged as status.listen-failed);
// `drops` counts the connections it drops (the program's /metrics reads it).
export async function startStatusListener(
  settings: StatusSettings,
  routes: StatusRoutes,
  logger: Logger,
  drops?: ConnectionDrops,
): Promise<StatusServer | null> {
  if (settings.port === null) {
    logger.info({ event: "status.disabled" }, "status listener disabled (STATUS_PORT=off)");
    return null;
  }
  try {
    const server = await startStatusServer({
      host: settings.bind,
      port: settings.port,
      routes,
      logger,
      token: settings.token ?? null,
      drops,
    });
    logger.info(
      { event: "status.listening", host: server.host, port: server.port, url: server.url },
      `status listener on ${server.url} (${Object.keys(routes).sort().join(", ")})`,
    );
    return server;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    logger.error(
      { event: "status.listen-failed", host: settings.bind, port: settings.port, code },
      `status listener cannot listen on ${settings.bind}:${settings.port} (STATUS_BIND, STATUS_PORT): ${code}; ` +
        "routing continues without it",
    );
    return null;
  }
}
