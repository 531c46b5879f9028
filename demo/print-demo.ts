// What the demo prints: the banner with every address and the curl lines to try, and the helpers the
// change log uses. Plain text, one idea per line, so it reads well in a terminal and in a test.
import { DEMO_BACKENDS, DEMO_DOMAIN, demoHost } from "./demo-world.js";
import { STATS_PASSWORD, STATS_USER, type Demo } from "./start-demo.js";

// The line to paste: `curl -H 'Host: shop.demo.localhost' http://127.0.0.1:8080/`.
export function curlLine(host: string, url: string): string {
  return `curl -H 'Host: ${host}' ${url}`;
}

// "shop-web-1 ×3, shop-web-2 ×3" (or "503 ×6").
export function formatTally(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([answer, count]) => `${answer} ×${count}`)
    .join(", ");
}

// The banner printed once everything runs.
export function printBanner(demo: Demo, everyS: number, interactive: boolean): void {
  const { pair } = demo;
  const url = pair.url;
  const stats = `http://127.0.0.1:${demo.statsPort}/`;
  const status = statusUrls(demo);
  const notListening = "not listening (see its log)";
  const hosts = [
    [demoHost("shop"), "stack shop: shop-web-1"],
    [demoHost("blog"), "stack blog: blog-web-1 and blog-web-2 take turns (blog-web-3 is unhealthy)"],
    [demoHost("www"), "alias www → blog (rancher-compose.yml metadata: aliases)"],
    [demoHost("nope"), "503 no route for this host"],
  ];
  const pad = Math.max(...hosts.map(([host]) => curlLine(host!, url).length));
  const lines = [
    "",
    "rancher-haproxy demo: everything below runs on this machine, on loopback",
    `  stand-in Rancher metadata  ${pair.metadata.url}/2015-12-19/containers  (STACK_DOMAIN=${DEMO_DOMAIN})`,
    `  demo backends              ${DEMO_BACKENDS.map((b) => `${b.name}@${b.host}`).join(", ")}`,
    `  generate-maps              pid ${pair.generateMaps.pid}, log ${demo.logFiles.generateMaps}`,
    `  reloader                   pid ${pair.reloader.pid}, log ${demo.logFiles.reloader}`,
    `  HAProxy                    master pid ${pair.reloader.haproxyPids().join(", ")}, HTTP on ${url}`,
    `  status listeners           generate-maps ${status.generateMaps ?? notListening}, ` +
      `reloader ${status.reloader ?? notListening}`,
    `  generated files            ${pair.paths.domainMap}`,
    `                             ${pair.paths.backends}`,
    "",
    "Try:",
    ...hosts.map(([host, what]) => `  ${curlLine(host!, url).padEnd(pad)}   # ${what}`),
    `  curl -u ${STATS_USER}:${STATS_PASSWORD} ${stats}metrics   # HAProxy's Prometheus metrics (stats page: ${stats})`,
    `  or open http://${demoHost("shop")}:${pair.httpPort}/ in a browser (*.localhost is this machine)`,
    ...observabilityLines(status),
    "",
    `Every ${everyS} s the demo changes the scenario in the stand-in and shows when HAProxy serves it.`,
    interactive
      ? "Press Enter for the next change now, q to quit. Ctrl-C stops everything."
      : "Ctrl-C (SIGINT) or SIGTERM stops everything.",
    "",
  ];
  console.log(lines.join("\n"));
}

// The status listeners' base URLs, as each process announced them (status.listening); null if it did not.
function statusUrls(demo: Demo): { generateMaps: string | null; reloader: string | null } {
  const url = (logs: readonly { event?: string; [key: string]: unknown }[]) => {
    const listening = logs.find((line) => line.event === "status.listening")?.["url"];
    return typeof listening === "string" ? listening.replace(/\/?$/, "/") : null;
  };
  return { generateMaps: url(demo.pair.generateMaps.logs), reloader: url(demo.pair.reloader.logs) };
}

// The observability curl lines on the ports the listeners really have (docs/observability.md's examples).
function observabilityLines(status: ReturnType<typeof statusUrls>): string[] {
  const tries: [string, string][] = [];
  const { generateMaps, reloader } = status;
  if (generateMaps)
    tries.push(
      [`curl -s ${generateMaps}healthz`, "generate-maps: is the proxy current?"],
      [`curl -s ${generateMaps}routes`, "what it routes, and what it skips"],
      [`curl -s '${generateMaps}explain?host=www&format=text'`, "why a host is routed"],
      [`curl -s '${generateMaps}explain?container=blog-web-3&format=text'`, "why a container is not"],
      [`curl -s ${generateMaps}metrics`, "its Prometheus metrics"],
    );
  if (reloader)
    tries.push(
      [`curl -s ${reloader}healthz`, "reloader: does HAProxy run the files on disk?"],
      [`curl -s ${reloader}config`, "the files HAProxy runs now"],
      [`curl -s ${reloader}metrics`, "its Prometheus metrics"],
    );
  if (tries.length === 0) return [];
  const pad = Math.max(...tries.map(([line]) => line.length));
  return [
    "",
    "Ask the two processes (docs/observability.md):",
    ...tries.map(([line, what]) => `  ${line.padEnd(pad)}   # ${what}`),
  ];
}
