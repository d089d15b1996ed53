// The shared configuration: see vitest.shared.ts at the repository root.
export { default } from '../../vitest.shared';
