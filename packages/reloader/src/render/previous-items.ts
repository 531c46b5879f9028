// The items of a renderer's last rendering, found again by name for the next one: the renderers that
// reuse unchanged blocks (slotted-backends-renderer.ts, slots-json-renderer.ts) look each name up here.
export class PreviousItems<T> {
  /** built on the first miss by position only (most renderings keep every position) */
  private byName: Map<string, T> | null = null;

  constructor(
    private readonly items: readonly T[],
    private readonly nameOf: (item: T) => string,
  ) {}

  // The last rendering's item for `name`, expected at `index`: that one when its name matches, else the
  // one of that name anywhere; undefined past the end of the last rendering or for a new name.
  find(index: number, name: string): T | undefined {
    const at = this.items[index];
    if (at === undefined || this.nameOf(at) === name) return at;
    return (this.byName ??= new Map(this.items.map((item) => [this.nameOf(item), item]))).get(name);
  }
}
