// Filled in by the model-zoo work.
export {};
