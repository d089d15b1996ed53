import {
  add,
  argmax,
  DTypeError,
  matmul,
  ones,
  permute,
  ShapeError,
  setBackend,
  sum,
  tensor,
  ValueError,
  where,
  zeros,
} from '@axon/tensor';
import { expectError } from '@axon/testing';
import { describe, it } from 'vitest';

describe('bad input gives a clear error naming the op', () => {
  it('shape errors name both shapes', () => {
    expectError(() => add(ones([2, 3]), ones([4])), ShapeError, 'add', '[2, 3]', '[4]');
    expectError(() => matmul(ones([2, 3]), ones([4, 5])), ShapeError, 'matmul', '[2, 3]', '[4, 5]', '3 vs 4');
    expectError(() => matmul(ones([2, 2, 3]), ones([3, 3, 4])), ShapeError, 'matmul', '[2]', '[3]');
    expectError(() => matmul(tensor(1), ones([2])), ShapeError, 'matmul');
    expectError(() => zeros([2, -1]), ShapeError, 'zeros', '[2, -1]');
  });

  it('dtype errors name the expected and actual dtypes', () => {
    expectError(() => where(ones([2]), ones([2]), ones([2])), DTypeError, 'where', 'bool', 'float32');
    expectError(() => matmul(tensor([true]), tensor([true])), DTypeError, 'matmul', 'bool');
  });

  it('value errors name the offending value', () => {
    expectError(() => sum(ones([2]), 1), ValueError, 'sum', 'axis 1', 'rank 1');
    expectError(() => argmax(ones([2, 2]), -3), ValueError, 'argmax', 'axis -3');
    expectError(() => permute(ones([2, 2]), [0]), ValueError, 'permute', '[0]');
    // biome-ignore lint/suspicious/noExplicitAny: a wrong argument type on purpose
    expectError(() => add([1, 2] as any, 1), ValueError, 'add', 'Tensor', 'array');
    expectError(() => setBackend('tpu'), ValueError, 'setBackend', "'tpu'", 'cpu');
  });
});
