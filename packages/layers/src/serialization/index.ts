// Filled in by the model-files work.
export {};
