// Filled in by the movement work.
export {};
