// Bytes from the shared volume as text: UTF-8 without NUL bytes, or why not. Never throws.
const UTF8 = new TextDecoder("utf-8", { fatal: true });

// The text of `bytes`, or the reason it is no text file (a NUL byte, invalid UTF-8).
export function decodeText(bytes: Uint8Array): string | { reason: string } {
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { reason: `contains a NUL byte (at byte ${nul})` };
  try {
    return UTF8.decode(bytes);
  } catch {
    return { reason: "is not valid UTF-8" };
  }
}
