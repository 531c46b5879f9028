// TCP services for the tests of map-public-tcp: an echo service and its checked client.
export * from "./start-echo-server.js";
export * from "./tcp-exchange.js";
