// Filled in by the train work.
export {};
