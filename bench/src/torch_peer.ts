/**
 * The optional PyTorch peer: one Python child process (bench/torch/peers.py) that holds the
 * workloads and runs them on one thread (`torch.set_num_threads(1)`) when asked. It joins the same
 * round-robin as the in-process libraries, one JSON line per request; it times each run itself
 * (`time.perf_counter` around the step), so the message passing is not counted. Inputs and
 * initial weights travel as raw little-endian files in a temporary folder.
 *
 * Nothing is installed: the peer runs only where `/usr/bin/python3 -c 'import torch'` works
 * (PYTHON=... picks another interpreter), and the bench says why when it does not.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../torch/peers.py', import.meta.url));

/** A tensor handed to Python: a file of raw values and its shape. */
export interface ArraySpec {
  path: string;
  shape: number[];
  dtype: 'float32' | 'int32';
}

type Reply = Record<string, unknown>;

export class TorchPeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly waiting: ((line: string | null) => void)[] = [];
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'axon-bench-torch-'));
  private fileCount = 0;
  private stderr = '';
  private closed = false;
  version = '';
  threads = 0;
  /** The BLAS torch's matmul runs on (its BLAS_INFO and the library the process loaded). */
  blas = '';

  private constructor(python: string) {
    this.child = spawn(python, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-2000);
    });
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on('line', (line) => this.waiting.shift()?.(line));
    this.lines.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) w(null);
    });
    this.child.on('error', (err) => {
      this.stderr += String(err);
      this.closed = true;
      for (const w of this.waiting.splice(0)) w(null);
    });
  }

  /** Starts the Python peer; throws (with the reason) where torch cannot be imported. */
  static async start(): Promise<TorchPeer> {
    const python = process.env.PYTHON ?? '/usr/bin/python3';
    const peer = new TorchPeer(python);
    const hello = await peer.next();
    if (hello.error !== undefined) {
      peer.close();
      throw new Error(String(hello.error));
    }
    peer.version = String(hello.torch);
    peer.threads = Number(hello.threads);
    peer.blas = String(hello.blas ?? '');
    return peer;
  }

  private next(): Promise<Reply> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new Error(`the Python peer exited (${this.stderr.trim() || 'no message'})`));
        return;
      }
      this.waiting.push((line) => {
        if (line === null)
          reject(new Error(`the Python peer exited (${this.stderr.trim() || 'no message'})`));
        else {
          try {
            resolve(JSON.parse(line) as Reply);
          } catch {
            reject(new Error(`the Python peer said: ${line}`));
          }
        }
      });
    });
  }

  /** Sends one request and waits for its answer; an answer with `error` throws. */
  async request(message: Record<string, unknown>): Promise<Reply> {
    const answer = this.next();
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
    const reply = await answer;
    if (reply.error !== undefined) throw new Error(`torch: ${String(reply.error)}`);
    return reply;
  }

  /** Writes values to a file for the Python side. */
  array(values: Float32Array | Int32Array, shape: number[]): ArraySpec {
    const file = path.join(this.dir, `a${this.fileCount++}.bin`);
    writeFileSync(file, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    return { path: file, shape, dtype: values instanceof Int32Array ? 'int32' : 'float32' };
  }

  /** Asks for an output as a file of float32 values and reads it. */
  async fetch(message: Record<string, unknown>): Promise<Float32Array> {
    const file = path.join(this.dir, `r${this.fileCount++}.bin`);
    await this.request({ ...message, out: file });
    const bytes = readFileSync(file);
    rmSync(file);
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }

  /** Ends the child and removes the temporary folder. */
  close(): void {
    if (!this.closed) {
      this.child.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
      this.closed = true;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
