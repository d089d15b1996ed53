/**
 * The exit codes a shell user expects, and the two errors the commands throw to choose one: a
 * usage error (the command line is wrong: 2, as commander's own parse errors) and a failure (the
 * command ran and could not do its job: 1). main.ts turns them into `axon: <message>` on stderr.
 */

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** The command could not do what was asked (a missing file, a model that cannot sample): exit 1. */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: number;

  constructor(message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, { cause: options.cause });
    this.exitCode = options.exitCode ?? EXIT.failure;
  }
}

/** The command line itself is wrong in a way commander cannot see (an option that does not fit the model): exit 2. */
export class UsageError extends CliError {
  override name = 'UsageError';

  constructor(message: string) {
    super(message, { exitCode: EXIT.usage });
  }
}
