// Keys on a terminal: Enter/space/n for the next change now, q (or Ctrl-C, which raw mode delivers as a
// key) to quit. Nothing happens when stdin is not a terminal (the test, a pipe).

// What the keys do.
export interface KeyHandlers {
  next(): void;
  quit(reason: string): void;
}

// Starts listening; the returned function restores the terminal.
export function listenForKeys(handlers: KeyHandlers): () => void {
  const stdin = process.stdin;
  if (!stdin.isTTY) return () => undefined;
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  const onData = (key: string) => {
    if (key === "\u0003") handlers.quit("Ctrl-C");
    else if (key === "q" || key === "Q") handlers.quit("q");
    else if (key === "\r" || key === "\n" || key === " " || key === "n") handlers.next();
  };
  stdin.on("data", onData);
  stdin.resume();
  return () => {
    stdin.off("data", onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}
