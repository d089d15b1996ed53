/**
 * @axon/interop: Axon models out to the engines that serve and train at scale, and weights back
 * in. ONNX export (checked in ONNX Runtime), safetensors files, and PyTorch state dicts.
 */
export {
  ONNX_OPSETS,
  type OnnxExportOptions,
  readOnnx,
  saveOnnx,
  toOnnx,
} from './onnx/export';
export type { OnnxGraph } from './onnx/graph';
export { decodeModel as decodeOnnx, type ModelObject as OnnxModel } from './onnx/proto';
export {
  type ExportContext,
  type Exported,
  type LayerExporter,
  onnxExportableLayers,
  registerOnnxExporter,
  type Traced,
} from './onnx/registry';
export {
  fromSafetensors,
  loadSafetensors,
  type SafetensorsContents,
  saveSafetensors,
  toSafetensors,
} from './safetensors';
export {
  type FromTorchOptions,
  fromTorchStateDict,
  loadTorchSafetensors,
  registerTorchNames,
  saveTorchSafetensors,
  toTorchStateDict,
} from './torch/state_dict';
