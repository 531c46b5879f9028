import { describeValue } from "./describe-value.js";
import { ownField } from "./own-field.js";
import type { ContainerRef } from "./routing-table.js";

// How a container is named in logs: its name, else its uuid; the stack as metadata spells it.
export function containerRef(container: unknown): ContainerRef {
  const name = ownField(container, "name");
  const uuid = ownField(container, "uuid");
  const stack = ownField(container, "stack_name");
  let label = "(unnamed)";
  if (typeof name === "string" && name !== "") label = name;
  else if (typeof uuid === "string" && uuid !== "") label = uuid;
  else if (name !== undefined && name !== null && name !== "") label = describeValue(name);
  return {
    container: label,
    uuid: typeof uuid === "string" ? uuid : null,
    stack: typeof stack === "string" ? stack : null,
  };
}
