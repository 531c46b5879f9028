// Real HTTP backends on loopback for tests, the demo and benchmarks (optionally behind PROXY protocol).
export { startBackend, type Backend, type BackendOptions, type SeenRequest } from "./start-backend.js";
export { parseProxyHeader, type ProxyHeader, type ProxyParse } from "./parse-proxy-header.js";
export { httpRequest, type RequestOptions, type SimpleResponse } from "./http-request.js";
export { openStream, type OpenStream, type StreamOptions } from "./open-stream.js";
