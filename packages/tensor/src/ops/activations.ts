// Filled in by the activations work.
export {};
