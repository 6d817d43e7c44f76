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

/** What a line holds besides what the detectors know about. */
export interface LogContext {
  /** People the line may mention (a ticket's requester, a colleague): removed too. */
  names?: readonly (string | null | undefined)[];
  /**
   * Values in the line that are the machine's own configuration, not anyone's data, and must stay readable: the host
   * of a connection the egress guard refused (an IP address would otherwise be logged as `[IP]`, and the line
   * would not say what was blocked). Only for values that never come from ticket text.
   */
  keep?: readonly (string | null | undefined)[];
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

function present(values: readonly (string | null | undefined)[] | undefined): string[] {
  return (values ?? []).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
}

/**
 * Redacts one log line; errors are logged by their message (a stack holds no customer data, but its message may).
 * `context.keep` values are set aside first (as private-use characters no detector matches) and put back after.
 */
export function redactForLog(message: unknown, context: LogContext | readonly (string | null | undefined)[] = {}): string {
  const { names, keep } = Array.isArray(context) ? { names: context as readonly string[], keep: [] } : (context as LogContext);
  let text = message instanceof Error ? `${message.name}: ${message.message}` : String(message);
  const kept = present(keep).sort((a, b) => b.length - a.length).slice(0, 256);
  kept.forEach((value, i) => {
    text = text.split(value).join(`\u{F0000}${String.fromCodePoint(0xf0001 + i)}`);
  });
  text = redact(text, { names: present(names) }).text;
  kept.forEach((value, i) => {
    text = text.split(`\u{F0000}${String.fromCodePoint(0xf0001 + i)}`).join(value);
  });
  return text;
}

/** A logger that redacts, then writes to `sink` (the console by default). `names` are removed from every line. */
export function createRedactingLogger(sink: LogSink = console, names: readonly string[] = []): Logger {
  const line = (message: unknown, context?: LogContext): string =>
    redactForLog(message, { names: [...names, ...(context?.names ?? [])], keep: context?.keep ?? [] });
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
