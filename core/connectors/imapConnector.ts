/**
 * The IMAP connector: a support mailbox read as a helpdesk queue. Each message is threaded into a ticket by its
 * `References` (the first id is the thread's root), else `In-Reply-To`, else its own `Message-ID`; the ticket's
 * snapshot is the thread as it stands at that message (every message of the mailbox in the thread, up to it).
 * Senders matching `supportAddresses` are analysts, everyone else a customer. Mail has no ticket status, so this
 * connector opens tickets and adds messages; it never closes them.
 *
 * The cursor is the mailbox's UIDVALIDITY and the last UID delivered; pages are `pageSize` messages in UID order.
 * Event ids come from Message-IDs, so a message delivered twice (a CC, a re-sent copy, a mailbox rebuilt with a new
 * UIDVALIDITY) is the same event and the watcher drops the repeat. A message without a Message-ID is known by a
 * hash of what does not change when a mailbox is rebuilt (its Date header, sender, subject and text), never by its
 * UID, which a rebuilt mailbox gives to another message. Every connection first passes the egress
 * policy (the host by name before anything is opened, then the addresses it resolves to, through the policy's own
 * `lookup`, so the socket dials exactly what was checked); credentials come from the secret store and are never put
 * in errors.
 *
 * Write-back (`postNote`, only on the analyst's click) appends the draft as a reply in the drafts mailbox with the
 * `\Draft` flag: nothing is sent; the analyst reviews and sends it from their mail client. Its `From:` is the
 * support team's address (the first full address in `supportAddresses`, else the login when it is an address;
 * none when neither is, and the mail client fills it in), its Subject RFC 2047-encoded when not ASCII.
 */
import { createHash } from 'node:crypto';
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import { errorMessage } from '../formats/errorMessage';
import type { Message, Ticket } from '../formats/schemas';
import { isLoopbackHost, type EgressPolicy } from '../net/egress';
import { ConnectorError, qualifyTicketId, type Connector, type FetchPage, type TicketEvent } from './connector';

export interface ImapConnectorOptions {
  id: string;
  host: string;
  port: number;
  /** `implicit`: TLS from the start (port 993); `starttls`: upgrade a plain connection; `none`: loopback only. */
  tls: 'implicit' | 'starttls' | 'none';
  user: string;
  password: string;
  mailbox: string;
  /** Addresses (`help@example.com`) or domains (`@example.com`) whose mail is written by analysts. */
  supportAddresses: readonly string[];
  /** Where `postNote` puts drafts. */
  draftsMailbox: string;
  egress: EgressPolicy;
  /** Messages per page. Default 50. */
  pageSize?: number;
  /** Socket inactivity limit. Default 60 s. */
  socketTimeoutMs?: number;
}

interface ImapCursor {
  v: 1;
  uidValidity: string;
  lastUid: number;
}

interface MailItem {
  uid: number;
  messageId: string;
  rootId: string;
  message: Message;
  subject: string;
  from: string;
  date: string;
}

/** `<abc@host>` → `abc@host`. */
function bare(id: string): string {
  return id.trim().replace(/^<|>$/g, '');
}

/** The thread's root: the first non-empty References id, else In-Reply-To's; an empty `<>` is no id at all. */
function firstReference(parsed: ParsedMail): string | null {
  // mailparser gives a string or an array, with `false` for an empty id (`References: \uFEFF <a@x>`).
  const refs = (Array.isArray(parsed.references) ? parsed.references : [parsed.references]).flatMap((r) => (typeof r === 'string' ? r.split(/\s+/) : []));
  const first = refs.map(bare).find((r) => r.length > 0);
  return first ?? (parsed.inReplyTo ? bare(parsed.inReplyTo.split(/\s+/)[0] ?? '') || null : null);
}

/** How an id made from a message's content begins (contentMessageId). */
const CONTENT_ID_PREFIX = 'no-message-id-';

/**
 * The id of a message that has no Message-ID: a hash of its Date header, sender, subject and text, which a mailbox
 * rebuild keeps (its UID and arrival time it does not). Shaped like a Message-ID so it threads and reads as one.
 */
export function contentMessageId(parts: { date: string; from: string; subject: string; text: string }): string {
  const digest = createHash('sha256').update([parts.date, parts.from.toLowerCase(), parts.subject, parts.text].join('\n')).digest('hex');
  return `${CONTENT_ID_PREFIX}${digest.slice(0, 32)}@vigil.local`;
}

/**
 * A header value as RFC 2047 encoded words when it is not plain ASCII (`=?UTF-8?B?…?=`), each word at most 75
 * characters and whole characters only, folded onto continuation lines.
 */
export function encodeHeaderWords(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  // 45 bytes of UTF-8 are 60 of base64: with `=?UTF-8?B?` and `?=` a word stays under 75 (RFC 2047 §2).
  const words: string[] = [];
  let chunk = '';
  for (const char of value) {
    if (Buffer.byteLength(chunk + char, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/** Subject without reply and forward prefixes (`Re: Fwd: AW: x` → `x`). */
export function baseSubject(subject: string): string {
  return subject.replace(/^(\s*(re|fw|fwd|aw|wg|sv|antw)(\[\d+\])?\s*:\s*)+/i, '').trim();
}

/** Whether `address` is one of the support team's (`help@example.com`) or in its domain (`@example.com`). */
export function isSupportAddress(address: string, supportAddresses: readonly string[]): boolean {
  const a = address.toLowerCase();
  return supportAddresses.some((s) => {
    const p = s.toLowerCase();
    return p.startsWith('@') ? a.endsWith(p) : a === p;
  });
}

/** Plain words for what went wrong talking to the server; never includes the password. */
function describeImapError(err: unknown, options: ImapConnectorOptions): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = err as { code?: string; authenticationFailed?: boolean; message?: string; responseText?: string; name?: string; serverResponseCode?: string };
  const where = `${options.host}:${options.port}`;
  if (e.serverResponseCode === 'UNAVAILABLE') {
    return new ConnectorError(`The mail server at ${where} cannot check logins right now (temporary failure on its side).`, 'unavailable');
  }
  if (e.name === 'EgressDeniedError') return new ConnectorError(e.message ?? 'Connection blocked.', 'config');
  if (e.authenticationFailed || e.code === 'AUTHENTICATIONFAILED') {
    return new ConnectorError(`The mail server at ${where} refused the login of "${options.user}". Check the user name and the password in the secret store.`, 'auth');
  }
  if (e.code === 'ECONNREFUSED') return new ConnectorError(`Cannot reach the mail server at ${where}: connection refused. Check the host and port, and that the server is running.`, 'unavailable');
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return new ConnectorError(`The mail server's name ${options.host} cannot be resolved. Check the host name and the network.`, 'network');
  if (e.code === 'ETIMEDOUT' || e.code === 'ConnectionTimeout' || e.code === 'GreetingTimeout') {
    return new ConnectorError(`The mail server at ${where} did not answer in time.`, 'unavailable');
  }
  if (e.code === 'NoConnection' || e.code === 'ECONNRESET' || e.code === 'EPIPE') {
    return new ConnectorError(`The connection to the mail server at ${where} was lost before it finished answering.`, 'network');
  }
  const detail = e.responseText ?? e.message ?? String(err);
  return new ConnectorError(`The mail server at ${where} failed: ${detail}`, 'unavailable');
}

export class ImapConnector implements Connector {
  readonly kind = 'imap';
  readonly id: string;
  private readonly pageSize: number;

  constructor(private readonly options: ImapConnectorOptions) {
    this.id = options.id;
    this.pageSize = Math.max(1, options.pageSize ?? 50);
    if (options.tls === 'none' && !isLoopbackHost(options.host)) {
      throw new ConnectorError(`IMAP without TLS is allowed only to this machine (loopback); use tls "implicit" or "starttls" for ${options.host}.`, 'config');
    }
  }

  private async connect(signal: AbortSignal, idle = false): Promise<ImapFlow> {
    // A refused host fails here, before a socket or a DNS query exists.
    try {
      this.options.egress.assertAllowed(this.options.host);
    } catch (err) {
      throw describeImapError(err, this.options);
    }
    const client = new ImapFlow({
      host: this.options.host,
      port: this.options.port,
      // imapflow merges `tls` into the options of `net.connect`/`tls.connect` (imap-flow.js, connect()): the socket
      // resolves the host with the egress policy's lookup, which refuses a name that resolves somewhere it may not
      // go (a `localhost` mapped to another machine, 0.0.0.0). STARTTLS reuses that socket, so nothing is resolved again.
      tls: { lookup: this.options.egress.lookup },
      secure: this.options.tls === 'implicit',
      doSTARTTLS: this.options.tls === 'starttls' ? true : this.options.tls === 'none' ? false : undefined,
      auth: { user: this.options.user, pass: this.options.password },
      logger: false,
      // Only the change-notification connection idles; sync connections log out after each page.
      disableAutoIdle: !idle,
      ...(idle ? { autoIdleDelay: 1_000, maxIdleTime: 5 * 60_000 } : {}),
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
      socketTimeout: this.options.socketTimeoutMs ?? 60_000,
    });
    client.on('error', () => undefined); // surfaced through the failing command instead
    const onAbort = (): void => client.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect();
    } catch (err) {
      signal.removeEventListener('abort', onAbort);
      client.close();
      throw describeImapError(err, this.options);
    }
    return client;
  }

  private async withClient<T>(signal: AbortSignal, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = await this.connect(signal);
    try {
      return await work(client);
    } catch (err) {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new ConnectorError('Cancelled.', 'unavailable');
      throw describeImapError(err, this.options);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  async testConnection(signal: AbortSignal): Promise<void> {
    await this.withClient(signal, async (client) => {
      const status = await client.status(this.options.mailbox, { messages: true }).catch(() => false as const);
      if (!status) throw new ConnectorError(`The mailbox "${this.options.mailbox}" does not exist on ${this.options.host} for ${this.options.user}.`, 'config');
    });
  }

  private parseCursor(cursor: string | null): ImapCursor | null {
    if (cursor === null) return null;
    try {
      const c = JSON.parse(cursor) as Partial<ImapCursor>;
      if (c.v === 1 && typeof c.uidValidity === 'string' && typeof c.lastUid === 'number') return c as ImapCursor;
    } catch {
      // fall through
    }
    throw new ConnectorError(`IMAP connector "${this.id}" got a cursor it did not write (${cursor.slice(0, 80)}).`, 'config');
  }

  private async toItem(msg: FetchMessageObject): Promise<MailItem> {
    const parsed = msg.source ? await simpleParser(msg.source, { skipImageLinks: true, skipTextToHtml: true }) : ({} as ParsedMail);
    const fromAddress = parsed.from?.value[0]?.address ?? '';
    const date = (parsed.date ?? msg.internalDate ?? new Date()) as Date | string;
    const at = new Date(date).toISOString();
    const text = (parsed.text ?? '').trim();
    // `Message-ID: <>` (seen from broken mailers) leaves nothing, like a message without one: then its content names it.
    const messageId =
      (parsed.messageId ? bare(parsed.messageId) : '') ||
      contentMessageId({ date: parsed.date ? new Date(parsed.date).toISOString() : '', from: fromAddress, subject: parsed.subject ?? '', text });
    const rootId = firstReference(parsed) ?? messageId;
    return {
      uid: msg.uid,
      messageId,
      rootId,
      subject: parsed.subject ?? '',
      from: fromAddress,
      date: at,
      message: {
        id: messageId,
        author: isSupportAddress(fromAddress, this.options.supportAddresses) ? 'analyst' : 'customer',
        text,
        at,
        from: fromAddress,
      },
    };
  }

  /**
   * The thread's messages in the mailbox with a UID up to `maxUid`, oldest first. `like` is a message of the thread,
   * for a thread whose root has no Message-ID: no header names it, so its copies are found by subject and sender.
   */
  private async thread(client: ImapFlow, rootId: string, maxUid: number, like?: Pick<MailItem, 'subject' | 'from'>): Promise<MailItem[]> {
    // The bare id, not `<id>`: IMAP's header search matches a substring, and some mailers write ids without the
    // brackets; the search then found no thread, the reply opened the same ticket again and its message was lost.
    // What the substring matches too widely is dropped below by comparing the parsed ids.
    const id = rootId;
    const byContent = rootId.startsWith(CONTENT_ID_PREFIX) && like !== undefined;
    const uids = await client
      .search(
        byContent
          ? { uid: `1:${maxUid}`, ...(like.subject ? { subject: like.subject } : {}), ...(like.from ? { from: like.from } : {}) }
          : { uid: `1:${maxUid}`, or: [{ header: { 'message-id': id } }, { header: { references: id } }, { header: { 'in-reply-to': id } }] },
        { uid: true },
      )
      // A subject the server cannot search for (control characters) finds no copy; the message is then its own.
      .catch(() => (byContent ? [] : Promise.reject(new Error(`Cannot search the mailbox for the thread of ${id}`))));
    if (!uids || uids.length === 0) return [];
    const items: MailItem[] = [];
    for await (const msg of client.fetch(uids.filter((u) => u <= maxUid), { uid: true, source: true, internalDate: true }, { uid: true })) {
      let item: MailItem;
      try {
        item = await this.toItem(msg);
      } catch {
        // Reported as an issue when it was synced; failing here would stop every later message of its thread.
        continue;
      }
      if (item.rootId === rootId || item.messageId === rootId) items.push(item);
    }
    return items.sort((a, b) => a.uid - b.uid);
  }

  private ticketOf(items: readonly MailItem[]): Ticket {
    const first = items[0]!;
    const requester = items.find((i) => i.message.author === 'customer')?.from;
    return {
      id: qualifyTicketId(this.id, first.rootId),
      subject: baseSubject(first.subject),
      status: 'open',
      ...(requester ? { requester } : {}),
      createdAt: first.date,
      updatedAt: items[items.length - 1]!.date,
      messages: items.map((i) => i.message),
    };
  }

  async fetchSince(cursor: string | null, signal: AbortSignal): Promise<FetchPage> {
    const position = this.parseCursor(cursor);
    return this.withClient(signal, async (client) => {
      const box = await client.mailboxOpen(this.options.mailbox, { readOnly: true }).catch((err: unknown) => {
        throw new ConnectorError(`Cannot open the mailbox "${this.options.mailbox}" on ${this.options.host}: ${(err as { responseText?: string }).responseText ?? errorMessage(err)}`, 'config');
      });
      const uidValidity = String(box.uidValidity);
      // A new UIDVALIDITY means the mailbox was rebuilt: UIDs start over, Message-ID based event ids stay.
      const lastUid = position && position.uidValidity === uidValidity ? position.lastUid : 0;
      const found = box.exists === 0 ? [] : ((await client.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || []);
      const pending = found.filter((uid) => uid > lastUid).sort((a, b) => a - b);
      const uids = pending.slice(0, this.pageSize);
      const events: TicketEvent[] = [];
      const issues: string[] = [];
      const threads = new Map<string, MailItem[]>();
      if (uids.length > 0) {
        const items: MailItem[] = [];
        for await (const msg of client.fetch(uids, { uid: true, source: true, internalDate: true }, { uid: true })) {
          signal.throwIfAborted();
          try {
            items.push(await this.toItem(msg));
          } catch (err) {
            issues.push(`${this.options.mailbox} UID ${msg.uid}: the message cannot be parsed (${errorMessage(err)}); skipped`);
          }
        }
        items.sort((a, b) => a.uid - b.uid);
        for (const item of items) {
          let thread = threads.get(item.rootId);
          if (!thread) {
            thread = (await this.thread(client, item.rootId, item.uid, item)).filter((t) => t.uid < item.uid);
            threads.set(item.rootId, thread);
          }
          const copyOf = thread.find((t) => t.messageId === item.messageId);
          if (copyOf) {
            // The same message twice: with a Message-ID a resend, without one a copy identical in date, sender,
            // subject and text (its id is made from those). Either way nothing new to deliver; said, not dropped.
            issues.push(`${this.options.mailbox} UID ${item.uid}: the same message as UID ${copyOf.uid}; skipped as a copy`);
            continue;
          }
          thread.push(item);
          const ticket = this.ticketOf(thread);
          const opened = thread.length === 1;
          events.push({
            id: opened ? `${ticket.id}#opened` : `${ticket.id}#msg:${item.messageId}`,
            type: opened ? 'ticket_opened' : 'message_added',
            ticketId: ticket.id,
            at: item.date,
            ticket,
            messageId: item.messageId,
          });
        }
      }
      const last = uids.length > 0 ? uids[uids.length - 1]! : lastUid;
      const next: ImapCursor = { v: 1, uidValidity, lastUid: last };
      const backlog = pending.length - uids.length;
      return { events, cursor: JSON.stringify(next), more: backlog > 0, backlog, issues };
    });
  }

  /**
   * Keeps one connection open in IMAP IDLE on the mailbox and calls `onChange` when the server announces new mail,
   * so the watcher polls at once. Reconnects after a minute when the connection drops; polling on the schedule
   * continues regardless.
   */
  subscribe(onChange: () => void): () => void {
    const abort = new AbortController();
    let client: ImapFlow | null = null;
    let retry: NodeJS.Timeout | null = null;
    const reconnectLater = (): void => {
      client = null;
      if (!abort.signal.aborted && !retry) retry = setTimeout(() => void open(), 60_000);
    };
    const open = async (): Promise<void> => {
      retry = null;
      if (abort.signal.aborted) return;
      try {
        const c = await this.connect(abort.signal, true);
        client = c;
        c.on('exists', () => onChange());
        c.on('close', reconnectLater);
        await c.mailboxOpen(this.options.mailbox, { readOnly: true });
        if (abort.signal.aborted) c.close();
      } catch {
        reconnectLater(); // the sync itself reports what is wrong
      }
    };
    void open();
    return () => {
      abort.abort();
      if (retry) clearTimeout(retry);
      retry = null;
      const c = client;
      client = null;
      c?.logout().catch(() => c.close());
    };
  }

  /** Appends `text` as a draft reply to the ticket's latest message, flagged `\Draft`; nothing is sent. */
  async postNote(ticketId: string, text: string, signal: AbortSignal): Promise<void> {
    const prefix = `${this.id}:`;
    if (!ticketId.startsWith(prefix)) throw new ConnectorError(`Ticket ${ticketId} does not belong to connector "${this.id}".`, 'config');
    const rootId = ticketId.slice(prefix.length);
    await this.withClient(signal, async (client) => {
      const box = await client.mailboxOpen(this.options.mailbox, { readOnly: true });
      const thread = box.exists === 0 ? [] : await this.thread(client, rootId, Number(box.uidNext) - 1);
      const last = thread[thread.length - 1];
      if (!last) throw new ConnectorError(`Ticket ${ticketId} is no longer in the mailbox "${this.options.mailbox}".`, 'config');
      const customer = [...thread].reverse().find((i) => i.message.author === 'customer');
      const references = [...new Set(thread.map((i) => `<${i.messageId}>`))].join(' ');
      const from = this.options.supportAddresses.find((a) => !a.startsWith('@') && a.includes('@')) ?? (this.options.user.includes('@') ? this.options.user : undefined);
      const lines = [
        ...(from ? [`From: <${from}>`] : []),
        ...(customer ? [`To: <${customer.from}>`] : []),
        `Subject: ${encodeHeaderWords(`Re: ${baseSubject(thread[0]!.subject)}`)}`,
        `In-Reply-To: <${last.messageId}>`,
        `References: ${references}`,
        `Date: ${new Date().toUTCString()}`,
        `Message-ID: <vigil-draft-${Date.now()}-${Math.random().toString(36).slice(2)}@vigil.local>`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        text,
      ];
      // Deselect first: imapflow keeps only the flags the selected (read-only) mailbox permits, i.e. none.
      await client.mailboxClose();
      const appended = await client.append(this.options.draftsMailbox, lines.join('\r\n'), ['\\Draft', '\\Seen']);
      if (!appended) throw new ConnectorError(`The mail server did not accept the draft in "${this.options.draftsMailbox}". Check that this mailbox exists.`, 'config');
    });
  }
}
