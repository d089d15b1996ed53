// Filled in by the conv work.
export {};
