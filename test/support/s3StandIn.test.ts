import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startS3StandIn, type S3StandIn } from './s3StandIn';

/** A SigV4-shaped Authorization header naming `key` (the stand-in reads the key id; it does not check signatures). */
function auth(key = 'team-key'): Record<string, string> {
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=${key}/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`,
    'x-amz-date': '20260101T000000Z',
  };
}

function errorCode(xml: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
}

function tags(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}

describe('the Node S3 stand-in the team tests use when moto is not installed', () => {
  let s3: S3StandIn;
  let url: (path: string) => string;
  beforeEach(async () => {
    s3 = await startS3StandIn({ accessKeys: ['team-key'], buckets: ['team'] });
    url = (path) => `${s3.endpoint}/team/${path}`;
  });
  afterEach(async () => s3.close());

  const put = (path: string, body: string | Buffer, headers: Record<string, string> = {}) => fetch(url(path), { method: 'PUT', body, headers: { ...auth(), ...headers } });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(url(path), { headers: { ...auth(), ...headers } });

  /**
   * A PUT whose headers and first half of body are sent now and whose rest is sent by `finish`: holding several open
   * at once is what makes writes overlap at the server (small bodies sent whole arrive one request at a time).
   */
  async function openPut(path: string, body: string, headers: Record<string, string>): Promise<{ finish(): Promise<{ status: number; body: string; etag: string }> }> {
    const seen = s3.requests.length;
    let finish: () => void = () => undefined;
    const answer = new Promise<{ status: number; body: string; etag: string }>((resolve, reject) => {
      const req = request(url(path), { method: 'PUT', headers: { ...auth(), ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, etag: String(res.headers.etag ?? '') }));
      });
      req.on('error', reject);
      req.flushHeaders();
      const half = Math.floor(body.length / 2);
      req.write(body.slice(0, half));
      finish = () => req.end(body.slice(half));
    });
    // Wait until the server has taken this request in, so its write is in flight there.
    while (s3.requests.length === seen) await new Promise((resolve) => setImmediate(resolve));
    return {
      finish() {
        finish();
        return answer;
      },
    };
  }

  it('lets exactly one of ten overlapping create-only PUTs of a key win; the others get 412 PreconditionFailed', async () => {
    const writes = [];
    for (let i = 0; i < 10; i++) writes.push(await openPut('t/_versions/1.manifest', `writer ${i}`, { 'if-none-match': '*' }));
    const responses = await Promise.all(writes.map((w) => w.finish()));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(9);
    for (const loser of responses.filter((r) => r.status === 412)) expect(errorCode(loser.body)).toBe('PreconditionFailed');
    // The stored object is the winner's, and its ETag is the quoted MD5 the winner was given.
    const winner = statuses.indexOf(200);
    const stored = await get('t/_versions/1.manifest');
    expect(await stored.text()).toBe(`writer ${winner}`);
    expect(stored.headers.get('etag')).toBe(responses[winner]?.etag);
    expect(stored.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(Date.parse(stored.headers.get('last-modified') ?? '')).not.toBeNaN();
  });

  it('replaces an object under If-Match only while its ETag still matches, and answers 404 for a missing key', async () => {
    const first = await put('k', 'one');
    const etag = first.headers.get('etag') ?? '';
    expect((await put('k', 'two', { 'if-match': etag })).status).toBe(200);
    const stale = await put('k', 'three', { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(errorCode(await stale.text())).toBe('PreconditionFailed');
    expect(await (await get('k')).text()).toBe('two');
    expect((await put('absent', 'x', { 'if-match': etag })).status).toBe(404);
  });

  it('fails a conditional PUT with 409 ConditionalRequestConflict when its key is deleted while the body is arriving', async () => {
    const write = await openPut('slow', 'abcdef', { 'if-none-match': '*' });
    expect((await fetch(url('slow'), { method: 'DELETE', headers: auth() })).status).toBe(204);
    const { status, body } = await write.finish();
    expect(status).toBe(409);
    expect(errorCode(body)).toBe('ConditionalRequestConflict');
    expect((await get('slow')).status).toBe(404);
  });

  it('serves byte ranges with 206 and Content-Range, and answers 416 InvalidRange past the end', async () => {
    await put('data', '0123456789');
    const middle = await get('data', { range: 'bytes=2-5' });
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await middle.text()).toBe('2345');
    const suffix = await get('data', { range: 'bytes=-3' });
    expect([suffix.status, await suffix.text()]).toEqual([206, '789']);
    const open = await get('data', { range: 'bytes=7-' });
    expect([open.status, await open.text()]).toEqual([206, '789']);
    const clipped = await get('data', { range: 'bytes=8-100' });
    expect([clipped.status, clipped.headers.get('content-range'), await clipped.text()]).toEqual([206, 'bytes 8-9/10', '89']);
    const past = await get('data', { range: 'bytes=10-12' });
    expect(past.status).toBe(416);
    expect(errorCode(await past.text())).toBe('InvalidRange');
    const whole = await get('data');
    expect([whole.status, whole.headers.get('content-length')]).toEqual([200, '10']);
    const head = await fetch(url('data'), { method: 'HEAD', headers: auth() });
    expect([head.status, head.headers.get('content-length'), head.headers.get('etag')]).toEqual([200, '10', whole.headers.get('etag')]);
  });

  it('pages ListObjectsV2 by 1000 keys with continuation tokens, and groups keys under a delimiter into CommonPrefixes', async () => {
    const keys = Array.from({ length: 2500 }, (_, i) => `p/k${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 100) await Promise.all(keys.slice(i, i + 100).map((key) => put(key, 'x')));
    await put('other/outside', 'x');
    const listed: string[] = [];
    const pages: Array<{ keyCount: string; truncated: string }> = [];
    let token: string | null = null;
    do {
      const query: string = `list-type=2&prefix=p%2F${token === null ? '' : `&continuation-token=${encodeURIComponent(token)}`}`;
      const xml = await (await fetch(`${s3.endpoint}/team?${query}`, { headers: auth() })).text();
      listed.push(...tags(xml, 'Key'));
      pages.push({ keyCount: tags(xml, 'KeyCount')[0] ?? '', truncated: tags(xml, 'IsTruncated')[0] ?? '' });
      token = tags(xml, 'NextContinuationToken')[0] ?? null;
    } while (token !== null);
    expect(pages).toEqual([
      { keyCount: '1000', truncated: 'true' },
      { keyCount: '1000', truncated: 'true' },
      { keyCount: '500', truncated: 'false' },
    ]);
    expect(listed).toEqual(keys);

    await put('t/_versions/1.manifest', 'x');
    await put('t/_versions/2.manifest', 'x');
    await put('t/data/a.lance', 'x');
    await put('t/top.txt', 'x');
    const grouped: string[] = [];
    const files: string[] = [];
    token = null;
    do {
      const query: string = `list-type=2&prefix=t%2F&delimiter=%2F&max-keys=1${token === null ? '' : `&continuation-token=${encodeURIComponent(token)}`}`;
      const xml = await (await fetch(`${s3.endpoint}/team?${query}`, { headers: auth() })).text();
      expect(tags(xml, 'KeyCount')[0]).toBe('1');
      grouped.push(...[...xml.matchAll(/<CommonPrefixes><Prefix>([^<]*)<\/Prefix><\/CommonPrefixes>/g)].map((m) => m[1] ?? ''));
      files.push(...tags(xml, 'Key'));
      token = tags(xml, 'NextContinuationToken')[0] ?? null;
    } while (token !== null);
    expect(grouped).toEqual(['t/_versions/', 't/data/']);
    expect(files).toEqual(['t/top.txt']);
  });

  it('deletes objects singly and in a DeleteObjects batch, and copies with x-amz-copy-source', async () => {
    await put('a', 'A');
    await put('b', 'B');
    await put('c', 'C');
    const copied = await fetch(url('a-copy'), { method: 'PUT', headers: { ...auth(), 'x-amz-copy-source': '/team/a' } });
    expect(copied.status).toBe(200);
    expect(tags(await copied.text(), 'ETag')).toHaveLength(1);
    expect(await (await get('a-copy')).text()).toBe('A');
    expect((await fetch(url('c'), { method: 'DELETE', headers: auth() })).status).toBe(204);
    const batch = await fetch(`${s3.endpoint}/team?delete`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/xml' },
      body: '<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key></Object><Object><Key>b</Key></Object></Delete>',
    });
    expect(tags(await batch.text(), 'Key')).toEqual(['a', 'b']);
    for (const key of ['a', 'b', 'c']) {
      const gone = await get(key);
      expect(gone.status).toBe(404);
      expect(errorCode(await gone.text())).toBe('NoSuchKey');
    }
  });

  it('assembles a multipart upload from its parts, refusing a non-last part under 5 MiB, and forgets an aborted one', async () => {
    const start = async (key: string) => tags(await (await fetch(`${url(key)}?uploads`, { method: 'POST', headers: auth() })).text(), 'UploadId')[0] ?? '';
    const part = async (key: string, id: string, n: number, body: Buffer) => (await fetch(`${url(key)}?partNumber=${n}&uploadId=${id}`, { method: 'PUT', body, headers: auth() })).headers.get('etag') ?? '';
    const complete = (key: string, id: string, etags: string[]) =>
      fetch(`${url(key)}?uploadId=${id}`, { method: 'POST', headers: auth(), body: `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>` });

    const big = Buffer.alloc(5 * 1024 * 1024, 1);
    const id = await start('big');
    const etags = [await part('big', id, 1, big), await part('big', id, 2, Buffer.from('tail'))];
    const done = await complete('big', id, etags);
    expect(done.status).toBe(200);
    expect(tags(await done.text(), 'ETag')[0]).toMatch(/^&quot;[0-9a-f]{32}-2&quot;$/);
    const stored = Buffer.from(await (await get('big')).arrayBuffer());
    expect(stored.length).toBe(big.length + 4);
    expect(stored.subarray(-4).toString()).toBe('tail');

    const small = await start('small');
    const smallTags = [await part('small', small, 1, Buffer.from('tiny')), await part('small', small, 2, Buffer.from('tail'))];
    const refused = await complete('small', small, smallTags);
    expect(refused.status).toBe(400);
    expect(errorCode(await refused.text())).toBe('EntityTooSmall');

    expect((await fetch(`${url('small')}?uploadId=${small}`, { method: 'DELETE', headers: auth() })).status).toBe(204);
    const afterAbort = await complete('small', small, smallTags);
    expect(afterAbort.status).toBe(404);
    expect(errorCode(await afterAbort.text())).toBe('NoSuchUpload');
  });

  it('refuses a request without a SigV4 Authorization header or naming another access key, and a missing bucket', async () => {
    const anonymous = await fetch(url('k'));
    expect([anonymous.status, errorCode(await anonymous.text())]).toEqual([403, 'AccessDenied']);
    const stranger = await fetch(url('k'), { headers: auth('someone-else') });
    expect([stranger.status, errorCode(await stranger.text())]).toEqual([403, 'InvalidAccessKeyId']);
    const noBucket = await fetch(`${s3.endpoint}/nope/k`, { headers: auth() });
    expect([noBucket.status, errorCode(await noBucket.text())]).toEqual([404, 'NoSuchBucket']);
  });
});
