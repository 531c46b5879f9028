// Whether a certificate's validity date can be trusted as parsed (check-certificate.ts, describe-leaf.ts).

// A validity date as Node prints it ("Jan  1 00:00:00 2049 GMT") with a four-digit year: Date.parse
// reads a year before 1000, printed "49", as 2049, so an expired certificate passed. Malformed dates
// ("Bad time value") are unreadable too.
export function readableDate(text: string): boolean {
  return / \d{4} GMT$/.test(text) && !Number.isNaN(Date.parse(text));
}
