/**
 * Download and upload of `.axon` model files in the browser: the same bytes `axon train --out`
 * writes and `save`/`load` read in Node (toBytes / fromBytes from @axon/layers), through a Blob
 * link and a file input instead of the file system.
 */
import { fromBytes, type Module } from '@axon/layers';
import { checkConfig, type PlaygroundConfig } from '../model/config';

/** Offers `bytes` as a download named `name`. */
export function downloadBytes(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A model read from a file: the model, and the playground settings saved with it when there are. */
export interface UploadedModel {
  model: Module;
  config: PlaygroundConfig | null;
  steps: number;
}

/** Rebuilds the model in `file` (on the active backend); throws ModelFileError for a bad file. */
export async function readModelFile(file: File): Promise<UploadedModel> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const { model, extra } = fromBytes(bytes, file.name);
  const saved = (extra.json as { playground?: { config?: unknown; steps?: unknown } } | undefined)
    ?.playground;
  let config: PlaygroundConfig | null = null;
  try {
    config = saved ? checkConfig(saved.config) : null;
  } catch {
    config = null;
  }
  const steps = typeof saved?.steps === 'number' ? saved.steps : 0;
  return { model, config, steps };
}
