// Filled in by the pool work.
export {};
