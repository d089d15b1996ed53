// Filled in by the trees work.
export {};
