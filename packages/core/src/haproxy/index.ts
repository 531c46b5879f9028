// HAProxy's master CLI as both the reloader and the tests speak it: one command per connection, and
// the `show proc` answer parsed.
export * from "./master-cli.js";
export * from "./parse-show-proc.js";
