// How each program's bin picks the built entry it loads.
export * from "./choose-entry.js";
