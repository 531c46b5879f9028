import type { Server } from "node:http";

// How long close() waits for answers in flight before cutting the remaining connections.
const CLOSE_GRACE_MS = 2000;

// Stops listening: answers in flight get CLOSE_GRACE_MS, idle keep-alive connections are closed at once.
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
