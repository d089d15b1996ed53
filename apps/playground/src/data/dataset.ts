/**
 * What the page trains on: a 2-D point set (generated) or an image set (the bundled subset, read
 * from a same-origin static file). One union so the rest of the app asks "points or images?" once.
 */
import { decodeImagePack, type ImagePack } from './image_pack';
import { type ImageSetId, type ImageSetInfo, imageSetInfo } from './image_sets';
import { generatePointSet, type PointSet, type PointSetId } from './point_sets';

export type DatasetId = PointSetId | ImageSetId;

export interface ImageSet extends ImagePack {
  kind: 'images';
  id: ImageSetId;
  info: ImageSetInfo;
  classes: number;
}

export type Dataset = PointSet | ImageSet;

export function isImageSetId(id: DatasetId): id is ImageSetId {
  return id === 'mnist' || id === 'fashion';
}

/** Reads an image set from `${baseUrl}data/<file>` (Vite's BASE_URL in the page). */
export async function loadImageSet(id: ImageSetId, baseUrl: string): Promise<ImageSet> {
  const info = imageSetInfo(id);
  const url = `${baseUrl}data/${info.file}`;
  const res = await fetch(url);
  if (!res.ok) {
    throw new Error(
      `cannot load ${url} (${res.status}): run the package's data script (pnpm -F @axon/playground data)`,
    );
  }
  const pack = decodeImagePack(new Uint8Array(await res.arrayBuffer()));
  return { kind: 'images', id, info, classes: info.classNames.length, ...pack };
}

/** The data set `id`: generated from `seed` for the 2-D sets, loaded (and cached) for images. */
export async function loadDataset(id: DatasetId, seed: number, baseUrl: string): Promise<Dataset> {
  if (!isImageSetId(id)) return generatePointSet(id, seed);
  let p = imageCache.get(id);
  if (!p) {
    p = loadImageSet(id, baseUrl);
    imageCache.set(id, p);
    p.catch(() => imageCache.delete(id));
  }
  return p;
}

const imageCache = new Map<ImageSetId, Promise<ImageSet>>();
