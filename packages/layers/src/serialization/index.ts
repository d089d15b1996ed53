export { load, save, writeFileAtomic } from './files';
export {
  FORMAT_VERSION,
  fromBytes,
  inspectModelFile,
  type LoadedModel,
  type ModelExtra,
  ModelFileError,
  type ModelFileHeader,
  type ModelFileInspection,
  type TensorEntry,
  type ToBytesOptions,
  toBytes,
} from './format';
