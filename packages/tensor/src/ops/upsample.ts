// Filled in by the upsample work.
export {};
