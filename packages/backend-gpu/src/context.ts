import { GPU } from 'gpu.js';

/** The gpu.js backends this package can end up on, in gpu.js's order of preference. */
export type GpuMode = 'headlessgl' | 'webgl2' | 'webgl' | 'webasm' | 'cpu';

export interface GpuInfo {
  /** The gpu.js kernel type that actually runs (gpu.js falls back silently, so this is measured). */
  mode: GpuMode;
  /** Always 'single': every value lives on the device as an IEEE float32. */
  precision: 'single';
  /** GL only: the largest texture side; 1-D buffers are packed into near-square textures under it. */
  maxTextureSize: number | null;
  /** GL only: the renderer string (e.g. 'llvmpipe', 'SwiftShader'). */
  renderer: string | null;
  /** Why a better mode was not used, or null when a GL mode runs. */
  fallbackReason: string | null;
}

const MODE_OF_KERNEL: Record<string, GpuMode> = {
  HeadlessGLKernel: 'headlessgl',
  WebGL2Kernel: 'webgl2',
  WebGLKernel: 'webgl',
  WebAssemblyKernel: 'webasm',
  CPUKernel: 'cpu',
};

interface GlKernelClass {
  name: string;
  isSupported: boolean;
  features: { maxTextureSize: number; isFloatRead: boolean; isTextureFloat: boolean } | null;
  testContext: WebGLRenderingContext | null;
}

/**
 * Creates the gpu.js instance and finds out what it really runs on. `AXON_GPU_MODE` (Node) or the
 * `mode` argument forces a gpu.js mode, e.g. 'webasm' on a machine that also has GL.
 */
export function createContext(mode?: string): { gpu: GPU; info: GpuInfo } {
  const requested = mode ?? envMode();
  const gpu = new GPU(requested ? { mode: requested as 'gpu' } : {});
  const kernelClass = (gpu as unknown as { Kernel: GlKernelClass }).Kernel;
  const chosen = MODE_OF_KERNEL[kernelClass.name];
  if (!chosen) throw new Error(`gpu: gpu.js picked an unsupported kernel type '${kernelClass.name}'`);
  const isGl = chosen === 'headlessgl' || chosen === 'webgl2' || chosen === 'webgl';
  let maxTextureSize: number | null = null;
  let renderer: string | null = null;
  if (isGl) {
    const features = kernelClass.features;
    if (!features?.isFloatRead || !features.isTextureFloat) {
      throw new Error(
        `gpu: ${chosen} cannot read and write float textures here, and Axon needs single precision; use setBackend('cpu')`,
      );
    }
    maxTextureSize = features.maxTextureSize;
    renderer = readRenderer(kernelClass.testContext);
  }
  return {
    gpu,
    info: {
      mode: chosen,
      precision: 'single',
      maxTextureSize,
      renderer,
      fallbackReason: isGl ? null : fallbackReason(requested, chosen),
    },
  };
}

function envMode(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.AXON_GPU_MODE || undefined;
}

function readRenderer(gl: WebGLRenderingContext | null): string | null {
  if (!gl) return null;
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const name = debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  return typeof name === 'string' ? name : null;
}

function fallbackReason(requested: string | undefined, chosen: GpuMode): string {
  if (requested) return `mode '${requested}' was requested (AXON_GPU_MODE or setBackend option)`;
  const inNode = typeof (globalThis as { window?: unknown }).window === 'undefined';
  const where = inNode
    ? "no WebGL context in Node: the optional native module 'gl' (headless-gl) is not installed or could not create a context (on Linux it needs an X display, e.g. xvfb-run)"
    : 'the browser offers neither WebGL2 nor WebGL';
  return `${where}; gpu.js chose ${chosen}`;
}
