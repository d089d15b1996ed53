// Filled in by the datasets-core work.
export {};
