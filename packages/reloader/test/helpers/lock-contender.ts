// A child process that competes for a state-dir lock on command, for the lock's concurrency test. It reads
// lines on stdin: `try <lock file> <epoch ms>` spins until that instant (so every contender starts at
// once), calls lockStateDir and answers `got` or `refused <reason>`; `release` releases a held lock and
// answers `released`. It prints `ready` once loaded and exits when stdin ends.
import { createInterface } from "node:readline";
import { lockStateDir, type StateDirLock } from "../../src/setup/lock-state-dir.ts";

let held: StateDirLock | null = null;
process.stdout.write("ready\n");
for await (const line of createInterface({ input: process.stdin })) {
  const [command, lockFile = "", at = "0"] = line.split(" ");
  if (command === "try") {
    while (Date.now() < Number(at)) {
      // spin: a timer would wake the contenders one by one
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
