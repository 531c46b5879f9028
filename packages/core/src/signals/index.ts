// Process signals both programs handle alike.
export * from "./ignore-signals.js";
