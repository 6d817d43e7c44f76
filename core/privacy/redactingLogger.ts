/**
 * The engine's logger: every line is redacted (core/privacy/redaction.ts) before it reaches the console or a log
 * file, so an error that quotes a customer's message, a token or an address leaves no personal data behind.
 * Core code that logs should take a `Logger` and default to `createRedactingLogger()`.
 */
import { redact } from './redaction';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface LogSink {
  log(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

/** Redacts one log line; errors are logged by their message (a stack holds no customer data, but its message may). */
export function redactForLog(message: unknown, names: readonly string[] = []): string {
  const text = message instanceof Error ? `${message.name}: ${message.message}` : String(message);
  return redact(text, { names }).text;
}

/** A logger that redacts, then writes to `sink` (the console by default). `names` are removed too (requesters). */
export function createRedactingLogger(sink: LogSink = console, names: readonly string[] = []): Logger {
  return {
    info: (message) => sink.log(redactForLog(message, names)),
    warn: (message) => sink.warn(redactForLog(message, names)),
    error: (message) => sink.error(redactForLog(message, names)),
  };
}
