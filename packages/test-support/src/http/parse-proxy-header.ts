// PROXY protocol v1 (text) and v2 (binary) headers, as HAProxy's send-proxy / send-proxy-v2 write them.

// What a PROXY header said about the original connection.
export interface ProxyHeader {
  version: 1 | 2;
  /** "PROXY" (a proxied connection) or "LOCAL" (v2 health checks) / "UNKNOWN" (v1) */
  command: "PROXY" | "LOCAL" | "UNKNOWN";
  family: "TCP4" | "TCP6" | "UNIX" | "UNSPEC";
  sourceAddress: string | null;
  sourcePort: number | null;
  destinationAddress: string | null;
  destinationPort: number | null;
}

// The outcome on the bytes received so far: need more, a header and its length, or garbage.
export type ProxyParse =
  | { kind: "incomplete" }
  | { kind: "invalid"; reason: string }
  | { kind: "ok"; header: ProxyHeader; length: number };

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from("PROXY ");

// Parse the start of a connection's bytes.
export function parseProxyHeader(data: Buffer): ProxyParse {
  if (startsWithPrefixOf(data, V2_SIGNATURE))
    return data.length < 16 ? { kind: "incomplete" } : parseV2(data);
  if (startsWithPrefixOf(data, V1_PREFIX)) return parseV1(data);
  return { kind: "invalid", reason: "no PROXY protocol header" };
}

function startsWithPrefixOf(data: Buffer, prefix: Buffer): boolean {
  const n = Math.min(data.length, prefix.length);
  return data.subarray(0, n).equals(prefix.subarray(0, n));
}

function parseV1(data: Buffer): ProxyParse {
  const end = data.indexOf("\r\n");
  if (end === -1)
    return data.length > 107 ? { kind: "invalid", reason: "v1 header too long" } : { kind: "incomplete" };
  const parts = data.subarray(0, end).toString("latin1").split(" ");
  const family = parts[1];
  const length = end + 2;
  if (family === "UNKNOWN")
    return {
      kind: "ok",
      length,
      header: {
        version: 1,
        command: "UNKNOWN",
        family: "UNSPEC",
        sourceAddress: null,
        sourcePort: null,
        destinationAddress: null,
        destinationPort: null,
      },
    };
  if ((family !== "TCP4" && family !== "TCP6") || parts.length !== 6)
    return { kind: "invalid", reason: "bad v1 header" };
  return {
    kind: "ok",
    length,
    header: {
      version: 1,
      command: "PROXY",
      family,
      sourceAddress: parts[2] ?? null,
      destinationAddress: parts[3] ?? null,
      sourcePort: Number(parts[4]),
      destinationPort: Number(parts[5]),
    },
  };
}

function parseV2(data: Buffer): ProxyParse {
  const verCmd = data[12] ?? 0;
  const famByte = data[13] ?? 0;
  const bodyLength = data.readUInt16BE(14);
  if (verCmd >> 4 !== 2) return { kind: "invalid", reason: "bad v2 version" };
  if (data.length < 16 + bodyLength) return { kind: "incomplete" };
  const command = (verCmd & 0x0f) === 0 ? "LOCAL" : "PROXY";
  const body = data.subarray(16, 16 + bodyLength);
  const base = { version: 2 as const, command: command as ProxyHeader["command"] };
  const length = 16 + bodyLength;
  if (famByte >> 4 === 1 && body.length >= 12)
    return {
      kind: "ok",
      length,
      header: {
        ...base,
        family: "TCP4",
        sourceAddress: ipv4(body, 0),
        destinationAddress: ipv4(body, 4),
        sourcePort: body.readUInt16BE(8),
        destinationPort: body.readUInt16BE(10),
      },
    };
  if (famByte >> 4 === 2 && body.length >= 36)
    return {
      kind: "ok",
      length,
      header: {
        ...base,
        family: "TCP6",
        sourceAddress: ipv6(body, 0),
        destinationAddress: ipv6(body, 16),
        sourcePort: body.readUInt16BE(32),
        destinationPort: body.readUInt16BE(34),
      },
    };
  return {
    kind: "ok",
    length,
    header: {
      ...base,
      family: famByte >> 4 === 3 ? "UNIX" : "UNSPEC",
      sourceAddress: null,
      sourcePort: null,
      destinationAddress: null,
      destinationPort: null,
    },
  };
}

function ipv4(buffer: Buffer, offset: number): string {
  return [0, 1, 2, 3].map((i) => buffer[offset + i] ?? 0).join(".");
}

function ipv6(buffer: Buffer, offset: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) groups.push(buffer.readUInt16BE(offset + i * 2).toString(16));
  return groups.join(":");
}
