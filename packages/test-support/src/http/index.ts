// Filled in by the owner of src/http.
export {};
