// The floor of a loop-mode cycle (part 1's small-environment figure): the least a generator can do per
// change with the same I/O. Long-polls /version with node:http (keep-alive); on a new version GETs
// /containers and the aliases in parallel and JSON.parses them, writes two files of the container
// addresses (temp file, fsync, rename, as generate-maps does), prints one `cycle` line like generate-maps'.
// Plain JS, no dependencies, so it measures the I/O and nothing else. Env: RANCHER_API_HOST,
// HAPROXY_BACKEND_CONFIG, HAPROXY_DOMAIN_MAP.
import { Agent, get } from "node:http";
import { open, rename } from "node:fs/promises";
import { performance } from "node:perf_hooks";

const base = `http://${process.env.RANCHER_API_HOST}/2015-12-19`;
const files = [process.env.HAPROXY_BACKEND_CONFIG, process.env.HAPROXY_DOMAIN_MAP];
const agent = new Agent({ keepAlive: true });

function getJson(path) {
  return new Promise((resolve, reject) => {
    const request = get(`${base}/${path}`, { agent, headers: { accept: "application/json" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve(res.statusCode === 200 ? JSON.parse(body) : null));
      res.on("error", reject);
    });
    request.on("error", reject);
  });
}

async function writeAtomic(path, content, n) {
  const temp = `${path}.${process.pid}.${n}.tmp`;
  const handle = await open(temp, "wx");
  await handle.writeFile(content);
  await handle.sync();
  await handle.close();
  return temp;
}

let version = await getJson("version");
for (let n = 0; ; n++) {
  const started = performance.now();
  const [containers] = await Promise.all([getJson("containers"), getJson("self/service/metadata/aliases")]);
  const lines = containers.map((c) => `${c.name} ${c.primary_ip}\n`).join("");
  const temps = await Promise.all(files.map((path, i) => writeAtomic(path, `${i}\n${lines}`, n)));
  for (const [i, temp] of temps.entries()) await rename(temp, files[i]);
  const durationMs = Math.round(performance.now() - started);
  process.stdout.write(`${JSON.stringify({ event: "cycle", version, changed: files, durationMs })}\n`);
  let next;
  do next = await getJson(`version?wait=true&value=${encodeURIComponent(version)}&maxWait=60`);
  while (typeof next !== "string" || next === version);
  version = next;
}
