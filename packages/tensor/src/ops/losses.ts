// Filled in by the losses work.
export {};
