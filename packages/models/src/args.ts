// Argument checks for the model builders. The generic ones (checkPositiveInt, checkOneOf,
// checkOptions, checkProbability, checkBoolean, describeValue) come from @axon/tensor; what is
// left here is specific to the zoo's configs.

/** JSON-ish rendering of a bad config value (e.g. `[1,2.5]` for hiddenSizes), for error messages. */
export function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
