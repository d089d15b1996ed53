// Filled in by the text-corpus work.
export {};
