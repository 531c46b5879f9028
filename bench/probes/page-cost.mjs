// How dear this machine makes first-touched memory and plain JS loops, for reading a run's figures: a
// one-shot generator cycle and its floor fault in tens of MB, and at about 13 µs a page (seen on one VM)
// the floor doubled against about 2 µs on another. Prints one JSON line: CPU ms to touch 64 MiB of fresh
// pages, and ns per byte of a JS loop over 13 MB (both this process's own CPU, after a warm-up).
const MIB = 1024 * 1024;

function cpuMs(run) {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const touchMs = cpuMs(() => {
  const pages = Buffer.allocUnsafeSlow(64 * MIB);
  for (let at = 0; at < pages.length; at += 4096) pages[at] = 1;
});

const bytes = Buffer.alloc(13 * MIB, 0x61);
for (let at = 0; at < bytes.length; at += 17) bytes[at] = 0x22;
function countQuotes(buffer) {
  let count = 0;
  for (let at = 0; at < buffer.length; at++) if (buffer[at] === 0x22) count++;
  return count;
}
countQuotes(bytes);
const loopMs = Math.min(
  cpuMs(() => countQuotes(bytes)),
  cpuMs(() => countQuotes(bytes)),
);
process.stdout.write(
  `${JSON.stringify({ touch64MibMs: Math.round(touchMs * 10) / 10, loopNsPerByte: Math.round((loopMs * 1e6 * 100) / bytes.length) / 100 })}\n`,
);
