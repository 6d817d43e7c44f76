/**
 * The one logger of the engine and the Electron main process: every line is redacted (core/privacy/redaction.ts)
 * before it reaches the console, so an error that quotes a customer's message, a connector's error body, a token or
 * an address leaves no personal data in a terminal, a log file the OS keeps, or a support bundle.
 *
 * Code logs through the module-level `log` (`log.warn(...)`); the console is reached only from this file (ESLint's
 * `no-console` rule holds core/ and electron/main/ to that, see eslint.config.js). A line about a ticket can name
 * the people it concerns (`{ names: [ticket.requester] }`), so their names go too, not only what the detectors know.
 */
import { redact } from './redaction';

/** Who a line may mention besides what the detectors find: the requester's name, a colleague's. */
export interface LogContext {
  names?: readonly (string | null | undefined)[];
}

export interface Logger {
  info(message: unknown, context?: LogContext): void;
  warn(message: unknown, context?: LogContext): void;
  error(message: unknown, context?: LogContext): void;
}

/** Where redacted lines go: the console, or a test's or a front end's collector. */
export interface LogSink {
  log(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

/** Redacts one log line; errors are logged by their message (a stack holds no customer data, but its message may). */
export function redactForLog(message: unknown, names: readonly (string | null | undefined)[] = []): string {
  const text = message instanceof Error ? `${message.name}: ${message.message}` : String(message);
  return redact(text, { names: names.filter((n): n is string => typeof n === 'string' && n.trim() !== '') }).text;
}

/** A logger that redacts, then writes to `sink` (the console by default). `names` are removed from every line. */
export function createRedactingLogger(sink: LogSink = console, names: readonly string[] = []): Logger {
  const line = (message: unknown, context?: LogContext): string => redactForLog(message, [...names, ...(context?.names ?? [])]);
  return {
    info: (message, context) => sink.log(line(message, context)),
    warn: (message, context) => sink.warn(line(message, context)),
    error: (message, context) => sink.error(line(message, context)),
  };
}

let current: LogSink = console;

/**
 * The process's logger. It writes to the sink in place when the line is logged, so `setLogSink` redirects every
 * module's lines, including those of modules loaded before it was called.
 */
export const log: Logger = createRedactingLogger({
  log: (l) => current.log(l),
  warn: (l) => current.warn(l),
  error: (l) => current.error(l),
});

/**
 * Sends the process's log lines (already redacted) to `sink` instead of the console; returns the function that puts
 * the previous sink back. For tests that read what a code path logged, and for a front end that keeps a log file.
 */
export function setLogSink(sink: LogSink): () => void {
  const previous = current;
  current = sink;
  return () => {
    current = previous;
  };
}
