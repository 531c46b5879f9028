// A status listener whose process has no descriptor left (bench/README.md, "Status listener probes"):
// the probe starts itself again under `prlimit --nofile=256:256` (a child: the machine's limits are not
// touched); the child starts the built listener on 127.0.0.1, opens /dev/null until EMFILE and tells its
// port; the parent sends `tries` GET /healthz and prints what each got, then the child's drops and the
// events of the log lines it wrote (status.error would be the server's `error`, status.connections-dropped
// a drop). Loopback only (npx tsc -b first).
// Usage: node bench/probes/status-emfile.mjs [tries]
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";

if (process.argv[2] === "--child") {
  const { createLogger, jsonResponse, startStatusServer } = await import("../../packages/core/dist/index.js");
  const logger = createLogger({ name: "status-emfile", level: "info", format: "json" });
  const routes = { "/healthz": () => jsonResponse({ status: "ok" }) };
  const server = await startStatusServer({ host: "127.0.0.1", port: 0, routes, logger });
  const held = [];
  let code = "";
  try {
    for (;;) held.push(openSync("/dev/null", "r"));
  } catch (error) {
    code = error.code;
  }
  process.stdout.write(`${JSON.stringify({ port: server.port, filled: held.length, code })}\n`);
  process.stdin.once("data", () => {
    process.stdout.write(`${JSON.stringify({ drops: server.drops })}\n`);
    process.exit(0);
  });
} else {
  const tries = Number(process.argv[2] ?? 3);
  const script = fileURLToPath(import.meta.url);
  const child = spawn("prlimit", ["--nofile=256:256", process.execPath, script, "--child"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = [];
  let buffer = "";
  let wake = () => undefined;
  child.stdout.on("data", (chunk) => {
    buffer += chunk;
    for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
      lines.push(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
      wake();
    }
  });
  // The child's next JSON line (its log lines, which have `level`, are skipped).
  const next = async () => {
    for (;;) {
      const index = lines.findIndex((line) => line.startsWith("{") && !line.includes('"level"'));
      if (index >= 0) return JSON.parse(lines.splice(index, 1)[0]);
      await new Promise((resolve) => (wake = resolve));
    }
  };
  const { port, filled, code } = await next();
  console.log(`child: listener on port ${port}, then ${filled} descriptors opened until ${code}`);
  for (let index = 0; index < tries; index += 1) {
    const outcome = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1");
      let answer = "";
      socket.on("data", (chunk) => (answer += chunk));
      socket.on("error", (error) => (answer += `(${error.code})`));
      socket.on("connect", () =>
        socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
      );
      socket.on("close", () => resolve(answer.split("\r\n")[0] || "closed with nothing sent"));
    });
    console.log(`GET /healthz ${index + 1}: ${outcome}`);
  }
  child.stdin.write("report\n");
  const { drops } = await next();
  const events = lines.filter((line) => line.includes('"level"')).map((line) => JSON.parse(line).event);
  console.log(`child: drops ${JSON.stringify(drops)}; logged ${JSON.stringify(events)}`);
}
