/**
 * An S3 stand-in in Node for the team store's tests, on loopback only: it answers the part of the Amazon S3 REST API
 * that LanceDB's object store client (the Rust `object_store` crate) sends, following AWS's documented behaviour
 * (docs.aws.amazon.com/AmazonS3/latest/API). It exists because no real S3-compatible server installs on the CI
 * machine (docs/team.md, "How it is tested"). It is NOT a store: objects live in memory and vanish with the process.
 *
 * What LanceDB sent in a logged run of test/core/team/teamSync.test.ts (against moto, through a logging proxy):
 * ListObjectsV2 (`GET /bucket?list-type=2&prefix=…`, sometimes `&delimiter=/`), PutObject (plain, and with
 * `If-None-Match: *` for a table version's manifest, answered 412 when another writer won), GetObject (whole, and with
 * `Range: bytes=a-b`, answered 206) and DeleteObjects (`POST /bucket?delete`). What object_store can also send, and
 * this server implements per the same docs: HeadObject, DeleteObject, PutObject with `If-Match`, CopyObject
 * (`x-amz-copy-source`), multipart upload (create, upload part, complete, abort), conditional GETs, `start-after`.
 *
 * Implemented: path-style addressing (`http://host:port/bucket/key`); S3's XML bodies and error codes (NoSuchBucket,
 * NoSuchKey, NoSuchUpload, PreconditionFailed 412, InvalidRange 416, ConditionalRequestConflict 409,
 * InvalidAccessKeyId 403, AccessDenied 403, InvalidPart, InvalidPartOrder, EntityTooSmall, NotImplemented 501); quoted
 * MD5 ETags (multipart: MD5 of the parts' MD5s, `-N`); Last-Modified; ranges; ListObjectsV2 paging (MaxKeys default
 * and cap 1000, IsTruncated, NextContinuationToken, KeyCount, CommonPrefixes, keys in UTF-8 byte order). A conditional
 * write is decided when its body has fully arrived, in one turn of the event loop, so of several concurrent
 * `If-None-Match: *` PUTs of one key exactly one succeeds and the rest get 412 ("the first write operation to finish
 * succeeds", AWS conditional-writes docs); a DELETE of the key while a conditional write is still arriving makes that
 * write fail with 409 ConditionalRequestConflict, as AWS documents.
 *
 * Not implemented, by choice: signature checking. A request must carry an `Authorization: AWS4-HMAC-SHA256
 * Credential=KEY/…` header and, when the server was given access keys, KEY must be one of them (else 403
 * InvalidAccessKeyId); the signature itself is not verified. Also absent: durability, virtual-hosted addressing,
 * versioning, ACLs and policies, aws-chunked uploads (answered 501), checksums beyond Content-MD5, ListObjects v1.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the stand-in is started. */
export interface S3StandInOptions {
  /** Access key ids a request may name; when absent or empty, any key id is accepted (the header is still required). */
  accessKeys?: readonly string[];
  /** Buckets that exist from the start. */
  buckets?: readonly string[];
  /** A fixed loopback port; a free one when absent. */
  port?: number;
}

/** A running stand-in. */
export interface S3StandIn {
  endpoint: string;
  port: number;
  /** Creates a bucket (idempotent here; AWS answers BucketAlreadyOwnedByYou outside us-east-1). */
  createBucket(name: string): void;
  /** Every request's method, path and query, in arrival order: what a client sent. */
  readonly requests: ReadonlyArray<{ method: string; path: string; query: string }>;
  close(): Promise<void>;
}

interface StoredObject {
  body: Buffer;
  etag: string;
  lastModified: Date;
  contentType: string;
}

interface Upload {
  bucket: string;
  key: string;
  parts: Map<number, { body: Buffer; etag: string }>;
  contentType: string;
}

/** A conditional write still receiving its body; a DELETE of its key meanwhile makes it fail with 409. */
interface PendingWrite {
  conflicted: boolean;
}

/** S3's minimum size of every part but the last (UploadPart / CompleteMultipartUpload docs): 5 MiB. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
/** ListObjectsV2 returns at most 1,000 keys per page, whatever MaxKeys asks (ListObjectsV2 docs). */
const MAX_KEYS = 1000;

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function xmlUnescape(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, '&');
}

/** The text of every `<tag>…</tag>` in `xml`, in order. */
function tagValues(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => xmlUnescape(m[1] ?? ''));
}

function md5(data: Buffer): Buffer {
  return createHash('md5').update(data).digest();
}

function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The byte range a `Range` header asks of a `size`-byte object, per RFC 9110 as S3 applies it (one range only). */
function parseRange(header: string, size: number): { start: number; end: number } | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // S3 ignores a Range header it cannot parse (or a multi-range one) and sends the whole object.
  if (match === null || (match[1] === '' && match[2] === '')) return null;
  const [first, last] = [match[1] ?? '', match[2] ?? ''];
  let start: number;
  let end: number;
  if (first === '') {
    start = Math.max(0, size - Number(last));
    end = size - 1;
    if (Number(last) === 0) throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', { RangeRequested: header, ActualObjectSize: String(size) });
  } else {
    start = Number(first);
    end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== '' && Number(last) < start) return null;
  }
  if (start >= size) throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', { RangeRequested: header, ActualObjectSize: String(size) });
  return { start, end };
}

/** Starts the stand-in on 127.0.0.1. */
export async function startS3StandIn(options: S3StandInOptions = {}): Promise<S3StandIn> {
  const buckets = new Map<string, Map<string, StoredObject>>();
  for (const name of options.buckets ?? []) buckets.set(name, new Map());
  const uploads = new Map<string, Upload>();
  const pending = new Map<string, Set<PendingWrite>>();
  const accessKeys = new Set(options.accessKeys ?? []);
  const requests: Array<{ method: string; path: string; query: string }> = [];

  const bucketOf = (name: string): Map<string, StoredObject> => {
    const bucket = buckets.get(name);
    if (bucket === undefined) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: name });
    return bucket;
  };
  const objectOf = (bucket: string, key: string): StoredObject => {
    const found = bucketOf(bucket).get(key);
    if (found === undefined) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    return found;
  };

  function authorize(req: IncomingMessage): void {
    const header = req.headers.authorization;
    if (header === undefined) throw new S3Error(403, 'AccessDenied', 'Access Denied (no Authorization header; this server accepts AWS Signature Version 4 headers only)');
    const credential = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//.exec(header);
    if (credential === null) throw new S3Error(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; expected AWS4-HMAC-SHA256 Credential=KEY/...');
    const key = credential[1] ?? '';
    if (accessKeys.size > 0 && !accessKeys.has(key)) {
      throw new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: key });
    }
  }

  /** If-Match / If-None-Match / If-(Un)Modified-Since on a read (GetObject docs, RFC 7232 precedence). */
  function checkReadConditions(req: IncomingMessage, object: StoredObject): 'ok' | 'not-modified' {
    const ifMatch = req.headers['if-match'];
    const ifNoneMatch = req.headers['if-none-match'];
    const since = req.headers['if-modified-since'];
    const unmodifiedSince = req.headers['if-unmodified-since'];
    const seconds = Math.floor(object.lastModified.getTime() / 1000) * 1000;
    if (ifMatch !== undefined) {
      if (ifMatch !== '*' && !ifMatch.split(',').map((s) => s.trim()).includes(object.etag)) {
        throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
      }
    } else if (unmodifiedSince !== undefined && seconds > Date.parse(unmodifiedSince)) {
      throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Unmodified-Since' });
    }
    if (ifNoneMatch !== undefined) {
      if (ifNoneMatch === '*' || ifNoneMatch.split(',').map((s) => s.trim()).includes(object.etag)) return 'not-modified';
    } else if (since !== undefined && seconds <= Date.parse(since)) {
      return 'not-modified';
    }
    return 'ok';
  }

  function objectHeaders(object: StoredObject): Record<string, string> {
    return {
      ETag: object.etag,
      'Last-Modified': object.lastModified.toUTCString(),
      'Content-Type': object.contentType,
      'Accept-Ranges': 'bytes',
    };
  }

  function getObject(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, head: boolean): void {
    const object = objectOf(bucket, key);
    if (checkReadConditions(req, object) === 'not-modified') {
      res.writeHead(304, { ETag: object.etag, 'Last-Modified': object.lastModified.toUTCString() });
      res.end();
      return;
    }
    const rangeHeader = req.headers.range;
    const range = rangeHeader === undefined ? null : parseRange(rangeHeader, object.body.length);
    const body = range === null ? object.body : object.body.subarray(range.start, range.end + 1);
    const headers: Record<string, string> = { ...objectHeaders(object), 'Content-Length': String(body.length) };
    if (range !== null) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${object.body.length}`;
    res.writeHead(range === null ? 200 : 206, headers);
    res.end(head ? undefined : body);
  }

  function store(bucket: string, key: string, body: Buffer, etag: string, contentType: string): StoredObject {
    const object: StoredObject = { body, etag, lastModified: new Date(), contentType };
    bucketOf(bucket).set(key, object);
    return object;
  }

  /** Checks a write's If-None-Match / If-Match against the key's current object, at the moment the write lands. */
  function checkWriteConditions(req: IncomingMessage, bucket: string, key: string): void {
    const current = bucketOf(bucket).get(key);
    const ifNoneMatch = req.headers['if-none-match'];
    const ifMatch = req.headers['if-match'];
    if (ifNoneMatch !== undefined) {
      if (ifNoneMatch !== '*') throw new S3Error(501, 'NotImplemented', 'If-None-Match on a write accepts only "*"', { Header: 'If-None-Match' });
      if (current !== undefined) throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
    }
    if (ifMatch !== undefined) {
      if (current === undefined) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
      if (ifMatch !== '*' && ifMatch !== current.etag) {
        throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
      }
    }
  }

  /** Receives a write's body while registered as pending on its key, then decides it in one event-loop turn. */
  async function receiveWrite(req: IncomingMessage, bucket: string, key: string): Promise<Buffer> {
    const conditional = req.headers['if-none-match'] !== undefined || req.headers['if-match'] !== undefined;
    const write: PendingWrite = { conflicted: false };
    const id = `${bucket}/${key}`;
    if (conditional) pending.set(id, (pending.get(id) ?? new Set()).add(write));
    try {
      const body = await readBody(req);
      if (write.conflicted) throw new S3Error(409, 'ConditionalRequestConflict', 'A conflicting operation occurred. If using PutObject you can retry the request.');
      checkWriteConditions(req, bucket, key);
      return body;
    } finally {
      pending.get(id)?.delete(write);
    }
  }

  function deleted(bucket: string, key: string): void {
    bucketOf(bucket).delete(key);
    for (const write of pending.get(`${bucket}/${key}`) ?? []) write.conflicted = true;
  }

  async function putObject(req: IncomingMessage, res: ServerResponse, bucket: string, key: string): Promise<void> {
    bucketOf(bucket);
    const copySource = req.headers['x-amz-copy-source'];
    const contentType = req.headers['content-type'] ?? 'binary/octet-stream';
    if (typeof copySource === 'string') {
      const decoded = decodeURIComponent(copySource.replace(/^\//, ''));
      const slash = decoded.indexOf('/');
      const source = objectOf(decoded.slice(0, slash), decoded.slice(slash + 1).split('?versionId=')[0] ?? '');
      const ifMatch = req.headers['x-amz-copy-source-if-match'];
      if (ifMatch !== undefined && ifMatch !== source.etag) throw new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'x-amz-copy-source-If-Match' });
      await receiveWrite(req, bucket, key);
      const copied = store(bucket, key, Buffer.from(source.body), source.etag, source.contentType);
      sendXml(res, 200, `<CopyObjectResult><LastModified>${copied.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(copied.etag)}</ETag></CopyObjectResult>`);
      return;
    }
    const body = await receiveWrite(req, bucket, key);
    checkContentMd5(req, body);
    const object = store(bucket, key, body, `"${md5(body).toString('hex')}"`, contentType);
    res.writeHead(200, { ETag: object.etag, 'Content-Length': '0' });
    res.end();
  }

  function checkContentMd5(req: IncomingMessage, body: Buffer): void {
    const expected = req.headers['content-md5'];
    if (expected !== undefined && expected !== md5(body).toString('base64')) throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }

  async function deleteObjects(req: IncomingMessage, res: ServerResponse, bucket: string): Promise<void> {
    bucketOf(bucket);
    const body = await readBody(req);
    checkContentMd5(req, body);
    const xml = body.toString('utf8');
    const keys = tagValues(xml, 'Key');
    if (keys.length > 1000) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema (at most 1000 keys).');
    const quiet = /<Quiet>\s*true\s*<\/Quiet>/i.test(xml);
    // Deleting a missing key succeeds, as DeleteObject does.
    for (const key of keys) deleted(bucket, key);
    const listed = quiet ? '' : keys.map((key) => `<Deleted><Key>${xmlEscape(key)}</Key></Deleted>`).join('');
    sendXml(res, 200, `<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${listed}</DeleteResult>`);
  }

  function listObjectsV2(res: ServerResponse, bucketName: string, query: URLSearchParams): void {
    const bucket = bucketOf(bucketName);
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const encode = query.get('encoding-type') === 'url';
    const maxKeysText = query.get('max-keys');
    const maxKeys = maxKeysText === null ? MAX_KEYS : Math.min(MAX_KEYS, Number(maxKeysText));
    if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new S3Error(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range', { ArgumentName: 'max-keys' });
    const token = query.get('continuation-token');
    const startAfter = query.get('start-after') ?? '';
    let after = startAfter;
    if (token !== null) {
      const decoded = Buffer.from(token, 'base64url').toString('utf8');
      if (!decoded.startsWith('k:')) throw new S3Error(400, 'InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
      after = decoded.slice(2);
    }
    const keys = [...bucket.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
    const contents: string[] = [];
    const prefixes: string[] = [];
    let last = '';
    let truncated = false;
    for (const key of keys) {
      if (after !== '' && compareKeys(key, after) <= 0) continue;
      let entry = key;
      let isPrefix = false;
      if (delimiter !== '') {
        const at = key.indexOf(delimiter, prefix.length);
        if (at >= 0) {
          entry = key.slice(0, at + delimiter.length);
          isPrefix = true;
        }
      }
      // A common prefix already returned (on this page or an earlier one) is not returned again.
      if (isPrefix && (entry === prefixes.at(-1) || (after !== '' && after.startsWith(entry)))) continue;
      if (contents.length + prefixes.length >= maxKeys) {
        truncated = true;
        break;
      }
      if (isPrefix) prefixes.push(entry);
      else contents.push(key);
      // Resume after everything under a returned common prefix: the token names its last possible key.
      last = isPrefix ? `${entry}\u{10FFFF}` : key;
    }
    const name = (text: string) => xmlEscape(encode ? encodeURIComponent(text).replace(/%2F/g, '/') : text);
    const parts = [
      `<Name>${xmlEscape(bucketName)}</Name>`,
      `<Prefix>${name(prefix)}</Prefix>`,
      delimiter === '' ? '' : `<Delimiter>${name(delimiter)}</Delimiter>`,
      `<MaxKeys>${maxKeys}</MaxKeys>`,
      `<KeyCount>${contents.length + prefixes.length}</KeyCount>`,
      `<IsTruncated>${truncated}</IsTruncated>`,
      encode ? '<EncodingType>url</EncodingType>' : '',
      token === null ? '' : `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>`,
      truncated ? `<NextContinuationToken>${Buffer.from(`k:${last}`, 'utf8').toString('base64url')}</NextContinuationToken>` : '',
      startAfter === '' ? '' : `<StartAfter>${name(startAfter)}</StartAfter>`,
      ...contents.map((key) => {
        const object = bucket.get(key) as StoredObject;
        return `<Contents><Key>${name(key)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(object.etag)}</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      }),
      ...prefixes.map((p) => `<CommonPrefixes><Prefix>${name(p)}</Prefix></CommonPrefixes>`),
    ];
    sendXml(res, 200, `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.join('')}</ListBucketResult>`);
  }

  function uploadOf(id: string | null, bucket: string, key: string): Upload {
    const upload = id === null ? undefined : uploads.get(id);
    if (upload === undefined || upload.bucket !== bucket || upload.key !== key) {
      throw new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: id ?? '' });
    }
    return upload;
  }

  async function completeUpload(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, id: string | null): Promise<void> {
    const upload = uploadOf(id, bucket, key);
    const xml = (await receiveWrite(req, bucket, key)).toString('utf8');
    const listed = [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({ number: Number(tagValues(m[1] ?? '', 'PartNumber')[0]), etag: tagValues(m[1] ?? '', 'ETag')[0] ?? '' }));
    if (listed.length === 0) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
    const bodies: Buffer[] = [];
    listed.forEach((part, i) => {
      if (i > 0 && part.number <= (listed[i - 1]?.number ?? 0)) throw new S3Error(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.');
      const stored = upload.parts.get(part.number);
      const quoted = part.etag.startsWith('"') ? part.etag : `"${part.etag}"`;
      if (stored === undefined || stored.etag !== quoted) {
        throw new S3Error(400, 'InvalidPart', 'One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part\'s entity tag.', { PartNumber: String(part.number) });
      }
      if (i < listed.length - 1 && stored.body.length < MIN_PART_BYTES) {
        throw new S3Error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', { PartNumber: String(part.number), ProposedSize: String(stored.body.length), MinSizeAllowed: String(MIN_PART_BYTES) });
      }
      bodies.push(stored.body);
    });
    const digests = Buffer.concat(listed.map((part) => Buffer.from((upload.parts.get(part.number)?.etag ?? '').replace(/"/g, ''), 'hex')));
    const object = store(bucket, key, Buffer.concat(bodies), `"${md5(digests).toString('hex')}-${listed.length}"`, upload.contentType);
    uploads.delete(id ?? '');
    sendXml(res, 200, `<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>${xmlEscape(object.etag)}</ETag></CompleteMultipartUploadResult>`);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query = url.searchParams;
    const method = req.method ?? 'GET';
    requests.push({ method, path: url.pathname, query: url.search });
    authorize(req);
    if (req.headers['content-encoding']?.includes('aws-chunked') || String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-')) {
      throw new S3Error(501, 'NotImplemented', 'aws-chunked (streaming) uploads are not implemented by this stand-in', { Header: 'x-amz-content-sha256' });
    }
    const path = url.pathname.slice(1);
    const slash = path.indexOf('/');
    const bucket = decodeURIComponent(slash < 0 ? path : path.slice(0, slash));
    const key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
    if (bucket === '') throw new S3Error(501, 'NotImplemented', 'ListBuckets is not implemented by this stand-in');
    if (key === '') {
      if (method === 'PUT') {
        await readBody(req);
        if (!buckets.has(bucket)) buckets.set(bucket, new Map());
        res.writeHead(200, { Location: `/${bucket}`, 'Content-Length': '0' });
        res.end();
        return;
      }
      if (method === 'HEAD') {
        bucketOf(bucket);
        res.writeHead(200, { 'x-amz-bucket-region': 'us-east-1' });
        res.end();
        return;
      }
      if (method === 'GET' && query.get('list-type') === '2') return listObjectsV2(res, bucket, query);
      if (method === 'POST' && query.has('delete')) return deleteObjects(req, res, bucket);
      throw new S3Error(501, 'NotImplemented', `${method} on a bucket${query.size > 0 ? ` with ?${[...query.keys()].join('&')}` : ''} is not implemented by this stand-in`);
    }
    if (method === 'GET' || method === 'HEAD') return getObject(req, res, bucket, key, method === 'HEAD');
    if (method === 'PUT' && query.has('partNumber') && query.has('uploadId')) {
      const upload = uploadOf(query.get('uploadId'), bucket, key);
      const number = Number(query.get('partNumber'));
      if (!Number.isInteger(number) || number < 1 || number > 10_000) throw new S3Error(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber' });
      if (req.headers['x-amz-copy-source'] !== undefined) throw new S3Error(501, 'NotImplemented', 'UploadPartCopy is not implemented by this stand-in');
      const body = await readBody(req);
      checkContentMd5(req, body);
      const etag = `"${md5(body).toString('hex')}"`;
      upload.parts.set(number, { body, etag });
      res.writeHead(200, { ETag: etag, 'Content-Length': '0' });
      res.end();
      return;
    }
    if (method === 'PUT') return putObject(req, res, bucket, key);
    if (method === 'POST' && query.has('uploads')) {
      bucketOf(bucket);
      await readBody(req);
      const id = randomUUID();
      uploads.set(id, { bucket, key, parts: new Map(), contentType: req.headers['content-type'] ?? 'binary/octet-stream' });
      sendXml(res, 200, `<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
      return;
    }
    if (method === 'POST' && query.has('uploadId')) return completeUpload(req, res, bucket, key, query.get('uploadId'));
    if (method === 'DELETE' && query.has('uploadId')) {
      uploadOf(query.get('uploadId'), bucket, key);
      uploads.delete(query.get('uploadId') ?? '');
      res.writeHead(204);
      res.end();
      return;
    }
    if (method === 'DELETE') {
      bucketOf(bucket);
      deleted(bucket, key);
      res.writeHead(204);
      res.end();
      return;
    }
    throw new S3Error(501, 'NotImplemented', `${method} on an object is not implemented by this stand-in`);
  }

  function sendXml(res: ServerResponse, status: number, xml: string): void {
    const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`, 'utf8');
    res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': String(body.length) });
    res.end(body);
  }

  const server: Server = createServer((req, res) => {
    const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
    res.setHeader('x-amz-request-id', requestId);
    res.setHeader('Server', 'VigilS3StandIn');
    route(req, res).catch((error: unknown) => {
      const failure = error instanceof S3Error ? error : new S3Error(500, 'InternalError', error instanceof Error ? error.message : String(error));
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // Drain what the client still sends so it reads the error instead of a reset connection.
      req.resume();
      if (req.method === 'HEAD') {
        res.writeHead(failure.status);
        res.end();
        return;
      }
      const extra = Object.entries(failure.extra).map(([tag, value]) => `<${tag}>${xmlEscape(value)}</${tag}>`).join('');
      sendXml(res, failure.status, `<Error><Code>${failure.code}</Code><Message>${xmlEscape(failure.message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests,
    createBucket(name) {
      if (!buckets.has(name)) buckets.set(name, new Map());
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
