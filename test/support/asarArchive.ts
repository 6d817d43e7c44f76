/**
 * Reads an Electron `app.asar` archive for the packaging test: its file list, sizes and the text of small files.
 *
 * The format (Electron's asar): a 4-byte pickle holding the header's size, then the header, a pickle whose payload
 * is a length-prefixed JSON string describing the tree ({ files: { name: { files | size, offset, unpacked } } });
 * file contents follow the header, at their `offset` from its end. Files marked `unpacked` live beside the archive
 * in `app.asar.unpacked/` instead (native modules, which cannot be loaded from inside the archive).
 */
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface HeaderNode {
  files?: Record<string, HeaderNode>;
  size?: number;
  offset?: string;
  unpacked?: boolean;
  link?: string;
}

/** One file in the archive. */
export interface AsarFile {
  /** Path inside the archive, with `/` and no leading slash (`out/main/index.js`). */
  path: string;
  size: number;
  /** True when the file sits in `app.asar.unpacked/` rather than inside the archive. */
  unpacked: boolean;
}

/** An opened archive: its files, and a way to read one as text. */
export interface AsarArchive {
  files: Map<string, AsarFile>;
  readText(path: string): Promise<string>;
}

export async function openAsar(archivePath: string): Promise<AsarArchive> {
  const handle = await open(archivePath, 'r');
  try {
    const sizePickle = Buffer.alloc(8);
    await handle.read(sizePickle, 0, 8, 0);
    // Pickle of one uint32: [payload size = 4][header size].
    const headerSize = sizePickle.readUInt32LE(4);
    const headerPickle = Buffer.alloc(headerSize);
    await handle.read(headerPickle, 0, headerSize, 8);
    // Pickle of one string: [payload size][string length][utf-8 bytes].
    const jsonLength = headerPickle.readUInt32LE(4);
    const header = JSON.parse(headerPickle.subarray(8, 8 + jsonLength).toString('utf8')) as HeaderNode;
    const contentStart = 8 + headerSize;

    const files = new Map<string, AsarFile & { offset: number }>();
    const walk = (node: HeaderNode, prefix: string): void => {
      for (const [name, child] of Object.entries(node.files ?? {})) {
        const path = prefix ? `${prefix}/${name}` : name;
        if (child.files) walk(child, path);
        else if (child.link === undefined) files.set(path, { path, size: child.size ?? 0, unpacked: child.unpacked === true, offset: Number(child.offset ?? 0) });
      }
    };
    walk(header, '');

    return {
      files,
      async readText(path: string): Promise<string> {
        const file = files.get(path);
        if (!file) throw new Error(`${archivePath}: no file ${path}`);
        if (file.unpacked) return readFile(join(`${archivePath}.unpacked`, path), 'utf8');
        const reader = await open(archivePath, 'r');
        try {
          const body = Buffer.alloc(file.size);
          await reader.read(body, 0, file.size, contentStart + file.offset);
          return body.toString('utf8');
        } finally {
          await reader.close();
        }
      },
    };
  } finally {
    await handle.close();
  }
}
