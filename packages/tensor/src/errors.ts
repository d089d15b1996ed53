/**
 * The three errors every op throws on bad input. Messages always start with the op's name, then
 * say what was expected and what was given, so a user can find the call that went wrong.
 */
export class ShapeError extends Error {
  override name = 'ShapeError';
}

export class DTypeError extends Error {
  override name = 'DTypeError';
}

export class ValueError extends Error {
  override name = 'ValueError';
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
