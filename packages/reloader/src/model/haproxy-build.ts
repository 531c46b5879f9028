// What the installed HAProxy says of itself in `haproxy -vv` (read once at start by
// sources/read-haproxy-build.ts: the binary every `haproxy -c` and the master run): its version
// (haproxy_version) and feature list (build_features), which a --config's `.if version_atleast(...)`,
// `version_before(...)` and `feature(...)` read (config-condition.ts). Pure and total.

// The version and feature list of one HAProxy binary; a field is null when `-vv` did not show it.
export interface HaproxyBuild {
  /** `2.6.12-1+deb12u4`: the word after `HAProxy version` */
  version: string | null;
  /** `-51DEGREES +ACCEPT4 ...`: the text after `Feature list : ` */
  features: string | null;
}

// What HAProxy knows of itself while it parses a config, besides the environment it inherits: what
// `.if feature(...)`, `version_*(...)`, HAPROXY_STARTUP_VERSION and HAPROXY_LOCALPEER read.
export interface HaproxySelf {
  /** the binary's build; null when `haproxy -vv` could not be read */
  build: HaproxyBuild | null;
  /** the host name HAProxy takes as HAPROXY_LOCALPEER (gethostname(): the reloader passes no -L); null
   * when not known */
  hostname?: string | null;
}

// The build `haproxy -vv`'s output describes, or null when it names no version nor feature list.
export function parseHaproxyBuild(output: string): HaproxyBuild | null {
  const version = /^HAProxy version (\S+)/m.exec(output)?.[1] ?? null;
  const features = /^Feature list : ([^\r\n]*)/m.exec(output)?.[1] ?? null;
  return version === null && features === null ? null : { version, features };
}
