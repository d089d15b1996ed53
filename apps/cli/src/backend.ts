/**
 * `--backend cpu|gpu`. The gpu backend is an optional dependency, imported only when it is asked
 * for, so the CLI installs and runs where gpu.js (and its native WebGL binding) cannot.
 */
import { setBackend } from '@axon/tensor';
import { CliError } from './errors';

export const BACKENDS = ['cpu', 'gpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export async function useBackend(name: BackendName): Promise<void> {
  if (name === 'gpu') {
    try {
      await import('@axon/backend-gpu');
    } catch (e) {
      throw new CliError(
        `--backend gpu needs the package @axon/backend-gpu (npm install @axon/backend-gpu): ${(e as Error).message}`,
        { cause: e },
      );
    }
  }
  setBackend(name);
}
