// One option system for both programs: the table, its value types, argv + env parsing, Markdown docs.
export * from "./option-row.js";
export * from "./option-table.js";
export * from "./options-error.js";
export * from "./value-type.js";
export * from "./value-types.js";
export * from "./network-types.js";
export * from "./read-command-line.js";
export * from "./resolve-option-values.js";
export * from "./render-option-docs.js";
export * from "./label-option-rows.js";
