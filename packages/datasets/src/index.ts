export * from './core';
export * from './text';
export * from './trees';
