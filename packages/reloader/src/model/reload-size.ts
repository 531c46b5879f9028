// How many slots a reload gives one backend (assign-backend-slots.ts): whole blocks, free blocks past
// one spare released.
import type { Slot } from "./server-slots.js";

// A reload's size: the previous one rounded up to whole blocks, but a backend that once held many more
// servers (a burst, or a shared file that asked for thousands) shrinks back to what its kept containers'
// highest slot and its server count need, plus one spare block: a runtime step cannot shrink it, and
// thousands of free slots cost HAProxy memory in every worker for good.
export function reloadSize(
  previous: readonly Slot[],
  servers: number,
  keeps: (name: string) => boolean,
  block: number,
): number {
  let needed = servers;
  for (let index = previous.length - 1; index >= 0; index--) {
    const name = previous[index]?.server;
    if (name != null && keeps(name)) {
      needed = Math.max(needed, index + 1);
      break;
    }
  }
  return Math.min(roundUp(previous.length, block), roundUp(needed, block) + block);
}

function roundUp(count: number, block: number): number {
  return Math.ceil(count / block) * block;
}
