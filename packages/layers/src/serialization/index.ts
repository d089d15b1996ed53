export { load, save, writeFileAtomic } from './files';
export {
  FORMAT_VERSION,
  fromBytes,
  type LoadedModel,
  type ModelExtra,
  ModelFileError,
  type ModelFileHeader,
  type TensorEntry,
  type ToBytesOptions,
  toBytes,
} from './format';
