// Just enough of a Dockerfile parser to check the image's contract without a Docker engine: instructions
// (continuations joined, comments dropped), ENV pairs and JSON-form ENTRYPOINT/CMD/VOLUME.

// One instruction, e.g. { keyword: "ENV", args: "A=1 B=2", stage: 1 } (stage: 0 for the first FROM).
export interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

// The instructions in order.
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let stage = -1;
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.startsWith("#")) continue; // a comment inside a continued instruction
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const full = `${pending}${line}`.trim();
    pending = "";
    const keyword = full.split(/\s+/)[0] ?? "";
    const upper = keyword.toUpperCase();
    if (upper === "FROM") stage += 1;
    instructions.push({ keyword: upper, args: full.slice(keyword.length).trim(), stage });
  }
  return instructions;
}

// The instructions of the final stage with this keyword.
export function finalStage(instructions: readonly Instruction[], keyword: string): Instruction[] {
  const last = Math.max(...instructions.map((instruction) => instruction.stage));
  return instructions.filter((instruction) => instruction.stage === last && instruction.keyword === keyword);
}

// `ENV A=1 B="x y"` → { A: "1", B: "x y" } (the key=value form only).
export function parseEnv(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g))
    env[match[1]!] = match[3] ?? match[2]!;
  return env;
}

// The exec (JSON array) form of ENTRYPOINT, CMD or VOLUME; throws on the shell form.
export function execForm(args: string): string[] {
  const value: unknown = JSON.parse(args);
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string"))
    throw new Error(`not a JSON array of strings: ${args}`);
  return value;
}
