/**
 * `Module.summary()`: a text table of a model, after torchinfo's and Keras's summaries: each
 * module's path (indented by depth) and class, its output shape for a sample input, its parameter
 * count (its own and its descendants'), then the total, trainable and non-trainable counts.
 */
import { noGrad } from '@axon/autograd';
import { fmtShape, Tensor, tidy } from '@axon/tensor';
import type { AnyModule } from './module';

/** A forward output as shapes: a tensor's shape, or the shapes inside an array or object. */
function describeOutput(out: unknown, depth = 0): string {
  if (out instanceof Tensor) return fmtShape(out.shape);
  if (out === null || out === undefined) return '-';
  if (depth > 2) return '...';
  if (Array.isArray(out)) return `(${out.map((o) => describeOutput(o, depth + 1)).join(', ')})`;
  if (typeof out === 'object') {
    const parts = Object.entries(out as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${describeOutput(v, depth + 1)}`);
    return `{${parts.join(', ')}}`;
  }
  return typeof out;
}

/**
 * Runs `model.forward(...inputs)` once, under noGrad and in eval mode (so that neither autograd nor
 * batch-norm statistics, nor dropout's generator, are touched), recording each module's first
 * output. Every tensor the run makes is freed; each module's mode and forward are restored.
 */
function traceOutputs(model: AnyModule, inputs: unknown[]): Map<AnyModule, string> {
  const shapes = new Map<AnyModule, string>();
  const modules = model.namedModules().map(([, m]) => m);
  const saved = modules.map((m) => ({
    m,
    training: m.training,
    own: Object.hasOwn(m, 'forward'),
    forward: m.forward,
  }));
  for (const { m, forward } of saved) {
    m.training = false;
    m.forward = function (this: AnyModule, ...args: never[]) {
      const out = (forward as (...a: never[]) => unknown).apply(this, args);
      if (!shapes.has(m)) shapes.set(m, describeOutput(out));
      return out;
    } as AnyModule['forward'];
  }
  try {
    noGrad(() =>
      tidy(() => {
        (model.forward as (...a: unknown[]) => unknown)(...inputs);
      }),
    );
  } finally {
    for (const { m, training, own, forward } of saved) {
      m.training = training;
      if (own) m.forward = forward;
      else delete (m as Partial<AnyModule>).forward;
    }
  }
  return shapes;
}

function count(params: Tensor[]): number {
  return params.reduce((n, p) => n + p.size, 0);
}

/** The table; `inputs` null leaves out the output shape column. */
export function summarize(model: AnyModule, inputs: unknown[] | null): string {
  const shapes = inputs ? traceOutputs(model, inputs) : null;
  const header = ['Layer', 'Type', ...(shapes ? ['Output shape'] : []), 'Params'];
  const rows: string[][] = model.namedModules().map(([path, m]) => {
    const depth = path ? path.split('.').length : 0;
    const name = path ? `${'  '.repeat(depth)}${path}` : '(model)';
    return [
      name,
      m.constructor.name,
      ...(shapes ? [shapes.get(m) ?? '-'] : []),
      count(m.parameters()).toLocaleString('en-US'),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const last = header.length - 1;
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === last ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = '='.repeat(widths.reduce((a, b) => a + b, 0) + 2 * last);
  // Each parameter once, even when a module is shared.
  const unique = [...new Set(model.parameters())];
  const trainable = count(unique.filter((p) => p.requiresGrad));
  const total = count(unique);
  const buffers = count([...new Set(model.namedBuffers().map(([, b]) => b))]);
  return [
    line(header),
    rule,
    ...rows.map(line),
    rule,
    `Total params: ${total.toLocaleString('en-US')}`,
    `Trainable params: ${trainable.toLocaleString('en-US')}`,
    `Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`,
    ...(buffers > 0 ? [`Buffer values: ${buffers.toLocaleString('en-US')}`] : []),
  ].join('\n');
}
