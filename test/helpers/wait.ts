import type { EventEmitter } from 'node:events';

/** Resolves with the first `name` event whose payload passes `match`; rejects after `timeoutMs`. */
export function nextEvent<T = unknown>(emitter: EventEmitter, name: string, match: (payload: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const on = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      emitter.off(name, on);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      emitter.off(name, on);
      reject(new Error(`no "${name}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.on(name, on);
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A logger that keeps its lines, so a test can check that IT was told. */
export function memoryLog(echo = false) {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => {
    lines.push({ level, obj: obj as Record<string, unknown>, msg });
    if (echo) console.log(new Date().toISOString().slice(17, 23), level, msg, JSON.stringify(obj));
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
