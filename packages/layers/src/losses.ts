// Filled in by the loss-modules work.
export {};
