// Code-unit order of two strings: the same on every machine and locale (never localeCompare), so both
// files sort the same everywhere.
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
