// One client address holding a status listener's connections (bench/README.md, "Status listener
// probes"): the built listener on 127.0.0.1, `holders` connections from 127.0.0.2, idle (`idle`) or
// sending a header line a second (`loris`), each re-opened 5 ms after it is cut; once a second for
// `seconds` s a health check from 127.0.0.3 asks GET /healthz (Connection: close, 2 s to answer).
// Prints the checks answered and refused and the listener's drops. Loopback only (npx tsc -b first).
// Usage: node bench/probes/status-share.mjs [idle|loris] [seconds] [holders]
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { Writable } from "node:stream";
import { createLogger, jsonResponse, startStatusServer } from "../../packages/core/dist/index.js";

const mode = process.argv[2] === "loris" ? "loris" : "idle";
const seconds = Number(process.argv[3] ?? 25);
const holders = Number(process.argv[4] ?? 64);
const destination = new Writable({ write: (_chunk, _encoding, done) => done() });
const logger = createLogger({ name: "status-share", level: "silent", format: "json", destination });
const routes = { "/healthz": () => jsonResponse({ status: "ok" }) };
const server = await startStatusServer({ host: "127.0.0.1", port: 0, routes, logger });
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

let stopping = false;
let opened = 0;
const held = new Set();
// One holder's connection, opened again 5 ms after the listener cuts it.
function hold() {
  if (stopping) return;
  const socket = connect({ port: server.port, host: "127.0.0.1", localAddress: "127.0.0.2" });
  opened += 1;
  held.add(socket);
  socket.resume();
  socket.on("error", () => undefined);
  let drip;
  socket.on("connect", () => {
    if (mode !== "loris") return;
    socket.write("GET /healthz HTTP/1.1\r\n");
    drip = setInterval(() => socket.write("X-Slow: 1\r\n"), 1000);
  });
  socket.on("close", () => {
    clearInterval(drip);
    held.delete(socket);
    setTimeout(hold, 5);
  });
}

// One health check: true when answered 200.
function check() {
  return new Promise((resolve) => {
    const socket = connect({ port: server.port, host: "127.0.0.1", localAddress: "127.0.0.3" });
    let answer = "";
    socket.on("data", (chunk) => (answer += chunk));
    socket.on("error", () => undefined);
    socket.on("connect", () => socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    socket.on("close", () => resolve(answer.startsWith("HTTP/1.1 200")));
    setTimeout(() => socket.destroy(), 2000).unref();
  });
}

for (let index = 0; index < holders; index += 1) hold();
await sleep(500);
let answered = 0;
let refused = 0;
const start = performance.now();
while (performance.now() - start < seconds * 1000) {
  if (await check()) answered += 1;
  else refused += 1;
  await sleep(1000);
}
stopping = true;
for (const socket of held) socket.destroy();
console.log(
  JSON.stringify({
    mode,
    seconds,
    holders,
    answered,
    refused,
    holderConnections: opened,
    drops: server.drops,
  }),
);
await server.close();
