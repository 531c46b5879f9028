// The line each name of a file was first seen on, for the parsers' "declared twice (first on line N)"
// problems. The generator writes every such list sorted (backends, each block's servers, map keys), and
// while the names come in strictly increasing code-unit order none can repeat: they are only listed, and
// no name is hashed (a hash map's lookups were ≈ a fifth of a 500 000-server parse). The first name out
// of order turns the list into a map once, which answers from then on.
export class FirstLines {
  private names: string[] = [];
  private lines: number[] = [];
  private map: Map<string, number> | null = null;

  // The line `name` was first seen on, or undefined.
  lineOf(name: string): number | undefined {
    return this.inOrder(name) ? undefined : this.byName().get(name);
  }

  // Records `name` as seen on `line`, unless it was seen before (its first line stays).
  add(name: string, line: number): void {
    this.firstOf(name, line);
  }

  // The line `name` was first seen on, or undefined when it is new: then it is recorded as seen on `line`
  // (lineOf and add in one look, for a parser that records every name it meets).
  firstOf(name: string, line: number): number | undefined {
    if (this.inOrder(name)) {
      this.names.push(name);
      this.lines.push(line);
      return undefined;
    }
    const map = this.byName();
    const first = map.get(name);
    if (first === undefined) map.set(name, line);
    return first;
  }

  // Whether `name` comes after every name so far, all listed in increasing order (so it is new).
  private inOrder(name: string): boolean {
    if (this.map !== null) return false;
    const last = this.names[this.names.length - 1];
    return last === undefined || name > last;
  }

  private byName(): Map<string, number> {
    if (this.map === null) {
      this.map = new Map();
      for (const [index, name] of this.names.entries()) this.map.set(name, this.lines[index] ?? 0);
      this.names = [];
      this.lines = [];
    }
    return this.map;
  }
}
