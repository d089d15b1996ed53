/**
 * The bundled image subsets (MNIST and Fashion-MNIST): which files scripts/export-data.ts writes
 * and how many images each split has. Shared by the export script (Node) and the page, so that
 * the two agree on names and sizes without a second list.
 */
import { FASHION_MNIST_CLASSES } from '@axon/datasets';

export type ImageSetId = 'mnist' | 'fashion';

export interface ImageSetInfo {
  id: ImageSetId;
  label: string;
  /** The file under public/data/ (served as data/<file>). */
  file: string;
  trainCount: number;
  testCount: number;
  classNames: readonly string[];
}

export const IMAGE_SETS: readonly ImageSetInfo[] = [
  {
    id: 'mnist',
    label: 'MNIST digits',
    file: 'mnist.axim',
    trainCount: 2000,
    testCount: 500,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  },
  {
    id: 'fashion',
    label: 'Fashion-MNIST',
    file: 'fashion-mnist.axim',
    trainCount: 2000,
    testCount: 500,
    classNames: FASHION_MNIST_CLASSES,
  },
];

export function imageSetInfo(id: ImageSetId): ImageSetInfo {
  const info = IMAGE_SETS.find((s) => s.id === id);
  if (!info) throw new Error(`unknown image set '${id}'`);
  return info;
}
