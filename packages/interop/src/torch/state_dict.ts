/**
 * PyTorch state dicts both ways. Axon's layers already use torch's parameter and buffer names,
 * shapes and gate orders (LSTM i, f, g, o; GRU r, z, n; BatchNorm's running_mean, running_var,
 * num_batches_tracked), and Sequential names its children '0', '1', ... as nn.Sequential does, so
 * the mapping is the identity for every built-in layer; the test fixture made by
 * test/torch/make_fixture.py checks each one against torch's own names and shapes. A layer from
 * another package whose names differ registers its renames with `registerTorchNames`.
 *
 * What does change on the way: dtypes. torch keeps num_batches_tracked as int64, Axon as int32
 * (safetensors I64 is read back as int32, and torch's load_state_dict casts int32 into its int64
 * buffer); a float tensor of another width is cast to the model's.
 */
import { type AnyModule, layerNameOf } from '@axon/layers';
import { cast, DTypeError, fmtShape, isFloat, ShapeError, type Tensor, tidy, ValueError } from '@axon/tensor';
import { loadSafetensors, saveSafetensors } from '../safetensors';

/** For a layer class (by registered name): its own tensor names in Axon → their names in torch. */
const renames = new Map<string, Readonly<Record<string, string>>>();

/**
 * Declares that layer `layerName` (as registered with `registerLayer`) calls its own parameter or
 * buffer `axonName` what torch calls `torchName`, for each entry of `names`.
 */
export function registerTorchNames(layerName: string, names: Readonly<Record<string, string>>): void {
  renames.set(layerName, { ...names });
}

function registeredName(m: AnyModule): string | null {
  try {
    return layerNameOf(m);
  } catch {
    return null;
  }
}

/** Every tensor of the model: its Axon path → its torch path. */
function torchNames(model: AnyModule): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, m] of model.namedModules()) {
    const table = renames.get(registeredName(m) ?? '') ?? {};
    const prefix = path ? `${path}.` : '';
    for (const [name] of [...m.namedParameters(), ...m.namedBuffers()]) {
      if (name.includes('.')) continue; // a child's, visited with the child
      out.set(prefix + name, prefix + (table[name] ?? name));
    }
  }
  return out;
}

/** The model's state dict under torch's names (the live tensors, not copies). */
export function toTorchStateDict(model: AnyModule): Record<string, Tensor> {
  const names = torchNames(model);
  return Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [names.get(k) ?? k, t]));
}

export interface FromTorchOptions {
  /** Missing or unexpected names are an error (default true, as torch's load_state_dict). */
  strict?: boolean;
  /** Names the weights' origin in errors (a file path, say). */
  source?: string;
}

/**
 * Copies a torch state dict (e.g. a safetensors file's tensors) into `model`, in place. Names,
 * shapes and dtypes are checked first; every error names the tensor, what the model expects and
 * what was given.
 */
export function fromTorchStateDict(
  model: AnyModule,
  state: Readonly<Record<string, Tensor>>,
  options: FromTorchOptions = {},
): void {
  const { strict = true, source = 'the state dict' } = options;
  const fn = `fromTorchStateDict (${source})`;
  const own = model.stateDict();
  const names = torchNames(model);
  const byTorch = new Map([...names].map(([axon, torch]) => [torch, axon]));
  const missing = [...byTorch.keys()].filter((k) => !(k in state));
  const unexpected = Object.keys(state).filter((k) => !byTorch.has(k));
  if (strict && (missing.length > 0 || unexpected.length > 0)) {
    const parts = [];
    if (missing.length) parts.push(`missing: ${missing.join(', ')}`);
    if (unexpected.length) parts.push(`unexpected: ${unexpected.join(', ')}`);
    throw new ValueError(`${fn}: the names do not match ${model.constructor.name}'s (${parts.join('; ')})`);
  }
  const converted: Record<string, Tensor> = {};
  tidy(() => {
    for (const [torchName, value] of Object.entries(state)) {
      const axonName = byTorch.get(torchName);
      if (axonName === undefined) continue;
      const target = own[axonName];
      if (value.shape.join() !== target.shape.join()) {
        throw new ShapeError(
          `${fn}: '${torchName}' has shape ${fmtShape(value.shape)}, the model expects ${fmtShape(target.shape)}`,
        );
      }
      if (value.dtype !== target.dtype && isFloat(value.dtype) !== isFloat(target.dtype)) {
        throw new DTypeError(`${fn}: '${torchName}' is ${value.dtype}, the model expects ${target.dtype}`);
      }
      converted[axonName] = value.dtype === target.dtype ? value : cast(value, target.dtype);
    }
    model.loadStateDict(converted, { strict });
  });
}

/** Writes `model`'s weights as a torch state dict in a safetensors file (atomically). */
export async function saveTorchSafetensors(
  path: string,
  model: AnyModule,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  await saveSafetensors(path, toTorchStateDict(model), { format: 'pt', ...metadata });
}

/** Loads a torch state dict from a safetensors file into `model` (see fromTorchStateDict). */
export async function loadTorchSafetensors(
  model: AnyModule,
  path: string,
  options: Omit<FromTorchOptions, 'source'> = {},
): Promise<void> {
  const { tensors } = await loadSafetensors(path);
  try {
    fromTorchStateDict(model, tensors, { ...options, source: path });
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}
