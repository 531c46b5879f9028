// The floor of a generator cycle: GET one metadata URL with node:http and JSON.parse the body, nothing else.
import { request } from "node:http";

const url = process.argv[2];
if (!url) throw new Error("usage: fetch-floor.mjs <url>");
const req = request(url, { headers: { accept: "application/json" } }, (res) => {
  const chunks = [];
  res.on("data", (chunk) => chunks.push(chunk));
  res.on("end", () => {
    const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (!Array.isArray(parsed)) throw new Error("expected a JSON array");
    process.stdout.write(`${parsed.length}\n`);
  });
});
req.on("error", (error) => {
  throw error;
});
req.end();
