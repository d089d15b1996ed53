/** Loads @axon/backend-gpu, which registers the 'gpu' backend, and reports what it runs on. */
import '@axon/backend-gpu';
import type { GpuBackend } from '@axon/backend-gpu';
import { backendInfo, ENGINE, getBackend, setBackend } from '@axon/tensor';

export interface GpuSetup {
  /** backendInfo() of the gpu backend: mode, precision, maxTextureSize, renderer, fallbackReason. */
  info: Record<string, unknown>;
  /**
   * Waits until the device has finished all work queued so far (gl.finish() in the GL modes;
   * nothing to wait for in webasm/cpu, which compute synchronously).
   */
  finish(): void;
}

export async function loadGpuBackend(): Promise<GpuSetup> {
  const previous = getBackend();
  setBackend('gpu');
  const info = backendInfo();
  setBackend(previous);
  const backend = ENGINE.findBackend('gpu') as GpuBackend;
  const gl = (backend.gpu as unknown as { context?: { finish?: () => void } | null }).context;
  return {
    info,
    finish: () => {
      gl?.finish?.();
    },
  };
}
