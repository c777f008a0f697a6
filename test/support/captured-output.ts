/** Lines written to stdout while capturing (Powertools writes logs and embedded metrics there), kept from the terminal. */
export function captureStdout(): { lines: () => string[]; json: () => Array<Record<string, any>>; stop: () => void } {
  const captured: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  let partial = '';
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    captured.push(...parts.filter((line) => line.length > 0));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return {
    lines: () => [...captured],
    json: () => captured.flatMap((line) => { try { return [JSON.parse(line) as Record<string, any>]; } catch { return []; } }),
    stop: () => { process.stdout.write = write; },
  };
}
