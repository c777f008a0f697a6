type Capture = { lines: () => string[]; json: () => Array<Record<string, any>>; stop: () => void };

/** Lines written to a stream while capturing, kept from the terminal. */
function capture(stream: NodeJS.WriteStream): Capture {
  const captured: string[] = [];
  const write = stream.write.bind(stream);
  let partial = '';
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    captured.push(...parts.filter((line) => line.length > 0));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof stream.write;
  return {
    lines: () => [...captured],
    json: () => captured.flatMap((line) => { try { return [JSON.parse(line) as Record<string, any>]; } catch { return []; } }),
    stop: () => { stream.write = write; },
  };
}

/** Powertools writes embedded metrics and logs up to INFO to stdout. */
export const captureStdout = (): Capture => capture(process.stdout);

/** Powertools writes WARN and ERROR log lines to stderr. */
export const captureStderr = (): Capture => capture(process.stderr);
