/**
 * The text of `<data folder>/connectors.json`, parsed once with jsonc-parser for everyone who reads it: the watcher
 * (registry.ts `readConnectorsDocument`) takes the value; Settings → Connectors (connectorSettings.ts) also takes
 * where each entry sits in the text, so that an edit rewrites only that entry's bytes. The syntax tree carries
 * offsets, so a syntax error names the file and line, and the editor needs no second, hand-written parser.
 */
import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';

/** A mistake in connectors.json (or a missing connector), said in words that name the file, line, entry or field. */
export class ConnectorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectorConfigError';
  }
}

/** Where a value is in the file's text: `start` inclusive, `end` exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** Where the `connectors` array (its brackets) and each of its entries are in the text. */
export interface ConnectorsLayout {
  open: number;
  close: number;
  entries: Span[];
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** A byte-order mark is skipped, as JSON.parse after stripping it would; offsets stay those of `text`. */
function bomLength(text: string): number {
  return text.charCodeAt(0) === 0xfeff ? 1 : 0;
}

/** Parses connectors.json's text as strict JSON (no comments, no trailing commas); a mistake names file and line. */
export function parseConnectorsText(text: string, file: string): { value: unknown; layout: ConnectorsLayout | null } {
  const errors: ParseError[] = [];
  const bom = bomLength(text);
  const tree = parseTree(text.slice(bom), errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first || !tree) {
    const offset = (first?.offset ?? 0) + bom;
    const line = lineAt(text, offset);
    const column = offset - text.lastIndexOf('\n', offset - 1);
    // jsonc-parser names the mistake in CamelCase (PropertyNameExpected): said in words, with where it is.
    const what = first ? printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase() : 'the file is empty';
    throw new ConnectorConfigError(`${file}:${line}: not valid JSON (${what} at line ${line}, column ${column})`);
  }
  return { value: getNodeValue(tree) as unknown, layout: layoutOf(tree, bom) };
}

function layoutOf(tree: Node, bom: number): ConnectorsLayout | null {
  if (tree.type !== 'object') return null;
  const property = tree.children?.find((p) => p.children?.[0]?.value === 'connectors');
  const list = property?.children?.[1];
  if (!list || list.type !== 'array') return null;
  return {
    open: list.offset + bom,
    close: list.offset + list.length - 1 + bom,
    entries: (list.children ?? []).map((entry) => ({ start: entry.offset + bom, end: entry.offset + entry.length + bom })),
  };
}
