// Preloaded (`node --import`) into every measured child: at exit, writes this process's own rusage
// (user + system CPU, peak RSS) as JSON to $RH_BENCH_USAGE_FILE. Plain JS so it adds no loader cost.
import { writeFileSync } from "node:fs";

const target = process.env.RH_BENCH_USAGE_FILE;
if (target) {
  process.on("exit", (code) => {
    const usage = process.resourceUsage();
    writeFileSync(
      target,
      JSON.stringify({
        code,
        userMs: usage.userCPUTime / 1000,
        systemMs: usage.systemCPUTime / 1000,
        maxRssKb: usage.maxRSS,
        uptimeMs: process.uptime() * 1000,
      }),
    );
  });
}
