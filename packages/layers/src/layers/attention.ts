// Filled in by the layers work.
export {};
