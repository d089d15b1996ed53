// Filled in by the resize work.
export {};
