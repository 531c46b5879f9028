// Filled in by the owner of src/haproxy.
export {};
