import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bundledManifestDir,
  checkModelFiles,
  loadManifests,
  modelFingerprint,
  parseManifest,
  pinModelFiles,
  readPins,
  type TransformersManifest,
} from '../../../core/embed/modelManifest';
import { tempFolder } from '../../support/tempFolder';
import { installTinyModel } from '../../fixtures/tinyOnnx/tinyManifest';

describe('model manifests', () => {
  it('ship for MiniLM, bge-small, multilingual-e5-small and nomic-embed-text with the models’ published facts', async () => {
    const { manifests, problems } = await loadManifests([bundledManifestDir()]);
    expect(problems).toEqual([]);
    const byId = Object.fromEntries(manifests.map((m) => [m.id, m]));
    expect(byId['all-minilm-l6-v2']).toMatchObject({ backend: 'transformers', dimensions: 384, pooling: 'mean', maxInputTokens: 256, licence: 'Apache-2.0', prefixes: { query: '', document: '' } });
    expect(byId['bge-small-en-v1.5']).toMatchObject({
      backend: 'transformers',
      dimensions: 384,
      pooling: 'cls',
      licence: 'MIT',
      prefixes: { query: 'Represent this sentence for searching relevant passages: ', document: '' },
    });
    expect(byId['multilingual-e5-small']).toMatchObject({ dimensions: 384, pooling: 'mean', maxInputTokens: 512, licence: 'MIT', prefixes: { query: 'query: ', document: 'passage: ' } });
    expect(byId['nomic-embed-text']).toMatchObject({ backend: 'ollama', tag: 'nomic-embed-text', dimensions: 768, licence: 'Apache-2.0', prefixes: { query: 'search_query: ', document: 'search_document: ' } });
    // The real files' hashes could not be computed where the manifests were written: none is invented.
    for (const m of manifests) {
      if (m.backend === 'transformers') expect(m.files.every((f) => f.sha256 === null)).toBe(true);
      else expect(m.digest).toBeNull();
    }
  });

  it('names the file, line and field of a mistake', async () => {
    const text = await readFile(join(bundledManifestDir(), 'bge-small-en-v1.5.json'), 'utf8');
    const broken = text.replace('"pooling": "cls"', '"pooling": "max"');
    const line = broken.split('\n').findIndex((l) => l.includes('"pooling"')) + 1;
    expect(() => parseManifest(broken, 'bge.json')).toThrow(new RegExp(`^bge\\.json:${line}: pooling: `));

    const badHash = JSON.parse(text) as TransformersManifest;
    badHash.files[2]!.sha256 = 'ABC';
    const json = JSON.stringify(badHash, null, 2);
    const hashLine = json.split('\n').findIndex((l) => l.includes('"sha256": "ABC"')) + 1;
    expect(() => parseManifest(json, 'm.json')).toThrow(`m.json:${hashLine}: files.2.sha256: must be a sha256`);

    expect(() => parseManifest('{"format": 1,\n "id": }', 'x.json')).toThrow(/^x\.json:2: \(file\): not valid JSON/);
    expect(() => parseManifest(JSON.stringify({ ...JSON.parse(text), dimension: 3 }), 'y.json')).toThrow(/y\.json:1: dimension: Unrecognized key: "dimension"/);
    expect(() => parseManifest(JSON.stringify({ ...JSON.parse(text), files: [{ path: '../escape.onnx', sha256: null }] }), 'z.json')).toThrow(
      /files\.0\.path: must be a relative path inside the model folder/,
    );
  });

  it('reports a bad admin manifest and still loads the others', async () => {
    const dir = await tempFolder('vigil-manifests-');
    await writeFile(join(dir, 'broken.json'), '{"format": 1, "id": "Broken Id"}');
    await writeFile(join(dir, 'copy.json'), await readFile(join(bundledManifestDir(), 'all-minilm-l6-v2.json')));
    const { manifests, problems } = await loadManifests([bundledManifestDir(), dir, join(dir, 'missing')]);
    expect(manifests.map((m) => m.id)).toContain('nomic-embed-text');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/broken\.json:1: /);
    expect(problems[1]).toMatch(/copy\.json:1: id: "all-minilm-l6-v2" is already defined by .*all-minilm-l6-v2\.json/);
  });

  it('checks each file’s sha256 and pins unpinned files once (trust on first use)', async () => {
    const modelsDir = await tempFolder('vigil-models-');
    const manifest = await installTinyModel(modelsDir, { unpinned: true });
    const before = await checkModelFiles(manifest, modelsDir);
    expect(before.files.map((f) => f.state)).toEqual(['unpinned', 'unpinned', 'unpinned', 'unpinned']);
    expect(before.problem).toMatch(/not pinned yet/);

    const { pinned, check } = await pinModelFiles(manifest, modelsDir, new Date('2026-11-22T01:00:00Z'));
    expect(pinned).toBe(true);
    expect(check.ready).toBe(true);
    expect(check.files.every((f) => f.expectedFrom === 'pin')).toBe(true);
    expect((await readPins(modelsDir)).models['tiny-bert']).toMatchObject({ pinnedAt: '2026-11-22T01:00:00.000Z' });

    await mkdir(join(modelsDir, 'tiny-bert', 'onnx'), { recursive: true });
    await writeFile(join(modelsDir, 'tiny-bert', 'onnx', 'model.onnx'), 'not the pinned model');
    const after = await checkModelFiles(manifest, modelsDir);
    expect(after.files.find((f) => f.path === 'onnx/model.onnx')?.state).toBe('mismatch');
    await expect(pinModelFiles(manifest, modelsDir)).rejects.toThrow(/refused/);
  });

  it('fingerprints the files and everything that shapes the vectors', () => {
    const m = { backend: 'transformers', dimensions: 4, maxInputTokens: 8, prefixes: { query: '', document: '' }, pooling: 'mean', modelFile: 'onnx/model.onnx' } as TransformersManifest;
    const files = { 'a.json': '1'.repeat(64), 'b.onnx': '2'.repeat(64) };
    const base = modelFingerprint(m, files);
    expect(modelFingerprint(m, { 'b.onnx': '2'.repeat(64), 'a.json': '1'.repeat(64) })).toBe(base);
    expect(modelFingerprint(m, { ...files, 'b.onnx': '3'.repeat(64) })).not.toBe(base);
    expect(modelFingerprint({ ...m, pooling: 'cls' }, files)).not.toBe(base);
    expect(modelFingerprint({ ...m, maxInputTokens: 16 }, files)).not.toBe(base);
  });
});
