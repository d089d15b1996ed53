/**
 * How an error message shows a bad value. Its own file because both the ops' validation
 * (`ops/util.ts`) and the shared checks (`validate.ts`) use it, and neither may import the other's
 * dependents.
 */
import { fmtShape } from './errors';
import { Tensor } from './tensor';

/**
 * A short description of any value for an error message: `null`, `undefined`,
 * `a float32 Tensor of shape [2, 3]` (`(disposed)` if it is), `an array of length 4`,
 * `a Float32Array of length 8`, `function f`, `a Map`, `an object`, `number 1.5`,
 * `string "relu"`, `boolean true`.
 */
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (x instanceof Tensor) {
    return `a ${x.dtype} Tensor of shape ${fmtShape(x.shape)}${x.isDisposed ? ' (disposed)' : ''}`;
  }
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (ArrayBuffer.isView(x)) {
    const name = withArticle(x.constructor?.name ?? 'ArrayBufferView');
    return 'length' in x ? `${name} of length ${(x as unknown as ArrayLike<unknown>).length}` : name;
  }
  switch (typeof x) {
    case 'function':
      return x.name ? `function ${x.name}` : 'a function';
    case 'object': {
      const name = (Object.getPrototypeOf(x) as { constructor?: { name?: string } } | null)?.constructor
        ?.name;
      return name && name !== 'Object' ? withArticle(name) : 'an object';
    }
    case 'string':
      return `string ${JSON.stringify(x.length > 60 ? `${x.slice(0, 57)}...` : x)}`;
    case 'bigint':
      return `bigint ${x}n`;
    default:
      return `${typeof x} ${String(x)}`;
  }
}

/** 'a Map', 'an Int32Array', 'an Adam'. */
function withArticle(name: string): string {
  return `${/^[AEIOU]/i.test(name) ? 'an' : 'a'} ${name}`;
}
