// The listener of one TCP service (TCP_PORTS): raw TCP to backend tcp_<port>, which the generated
// backends file declares only while a stack serves or holds the port (map-public-tcp; held: no server).
import { tcpBackendName } from "@rancher-haproxy/core";

// Lines (without indent) of `frontend tcp_<port>` bound at `bind` (see renderBindAddress). The backend is
// named dynamically, so `haproxy -c` accepts its absence; then no backend is found and HAProxy closes
// the connection.
export function renderTcpFrontend(bind: string, port: number): string[] {
  return ["mode tcp", `bind ${bind}`, "option tcplog", `use_backend %[str(${tcpBackendName(port)})]`];
}
