// What Node refuses on a status listener by itself, counted as drops. Node closes a connection over its
// cap itself ('drop'; share-connections.ts sets that cap one above the listener's, a backstop), answers
// 408 to a request past the header or request timeout and destroys the socket with
// ERR_HTTP_REQUEST_TIMEOUT, answers 400 or 431 to what its parser refuses and destroys the socket with an
// HPE_* error: listening changes none of it. Without the `connect` and `checkExpectation` listeners Node
// closes a CONNECT's socket unanswered and answers a bad Expect itself, neither counted.
import type { Server } from "node:http";
import type { Socket } from "node:net";
import type { ConnectionDropReason } from "./connection-drops.js";

// How a listener counts a connection it drops (once per connection: the first reason stays).
export type DropConnection = (socket: Socket, reason: ConnectionDropReason) => void;

// Counts each such refusal on `server`: a connection over the cap through `overCap` (Node has closed it),
// the others through `drop`; a CONNECT is closed, a bad Expect answered 417.
export function countNodeRefusals(server: Server, drop: DropConnection, overCap: () => void): void {
  server.on("drop", overCap);
  server.on("connection", (socket: Socket) => {
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") drop(socket, "timeout");
      else if (error.code?.startsWith("HPE_")) drop(socket, "malformed");
    });
  });
  server.on("connect", (_request, socket: Socket) => {
    drop(socket, "malformed");
    socket.destroy();
  });
  server.on("checkExpectation", (request, response) => {
    drop(request.socket, "malformed");
    response.writeHead(417, { connection: "close", "content-length": 0 }).end();
  });
}
