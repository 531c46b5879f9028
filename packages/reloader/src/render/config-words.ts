// Values written into haproxy.cfg as single words: bind addresses and file paths.

// An address as the host part of `<host>:<port>`: an IPv6 address in brackets, anything else as is.
export function renderHost(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

// The `bind` address part: every IPv4 address (empty), an IPv4 or a bracketed IPv6 address, then the port.
export function renderBindAddress(address: string, port: number): string {
  return address === "" ? `:${port}` : `${renderHost(address)}:${port}`;
}

// A file path as one haproxy.cfg word: as is when plain, else in single quotes (the option table refuses
// quotes, backslashes and control characters in paths). HAProxy still expands `$NAME` and `${NAME}` inside
// single quotes: the one path rendered here from an option, the state dir's, may hold no `$`.
export function renderConfigPath(path: string): string {
  return /^[A-Za-z0-9._/@:,+-]+$/.test(path) ? path : `'${path}'`;
}
