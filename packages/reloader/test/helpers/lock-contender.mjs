// A child process that competes for a state-dir lock on command, for the lock's concurrency test. It reads
// lines on stdin: `try <lock file> <epoch ms>` spins until that instant (so every contender starts at
// once), calls lockStateDir and answers `got` or `refused <reason>`; `release` releases a held lock and
// answers `released`. It prints `ready` once loaded and exits when stdin ends.
// Plain JavaScript on the reloader's dist (the test checks it is fresh): through tsx each of the four
// contenders paid ≈ 1.1 s of CPU for the loader.
import { createInterface } from "node:readline";
import { lockStateDir } from "../../dist/setup/lock-state-dir.js";

// How long before the instant a contender starts spinning.
const SPIN_MS = 10;

/** @type {{ release(): void } | null} */
let held = null;
process.stdout.write("ready\n");
for await (const line of createInterface({ input: process.stdin })) {
  const [command, lockFile = "", at = "0"] = line.split(" ");
  if (command === "try") {
    // A timer until SPIN_MS before the instant, then spin to it: a timer alone would wake the contenders
    // one by one; spinning the whole wait (≈ 50 ms, 100 rounds, 4 contenders) cost ≈ 7 s of CPU.
    const wait = Number(at) - SPIN_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    while (Date.now() < Number(at)) {
      // spin
    }
    try {
      held = await lockStateDir(lockFile, "/state");
      process.stdout.write("got\n");
    } catch (error) {
      process.stdout.write(`refused ${String(error).replaceAll("\n", " ")}\n`);
    }
  } else if (command === "release") {
    held?.release();
    held = null;
    process.stdout.write("released\n");
  }
}
