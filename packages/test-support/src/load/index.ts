// Filled in by the owner of src/load.
export {};
