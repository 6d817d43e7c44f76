/**
 * What every HTTP helpdesk connector (RT, Zendesk, Freshdesk, Jira Service Management, Zammad) is built from: its
 * checked settings, its warning sink, its JSON client, and the write-back pair `postNote`/`postReply`, which
 * differ between vendors only in the request they send. A vendor's class keeps its reading (`fetchSince`), its
 * connection test and that one request (`writeBack`).
 */
import type { z } from 'zod';
import type { EgressPolicy } from '../net/egress';
import { ConnectorError, type Connector, type FetchPage } from './connector';
import { defaultWarn, nativeTicketId, parseConfig, type HttpConnectorOptions } from './helpdeskEvents';
import { JsonHttpClient } from './http';

/** Who a written comment is for: the team only (an internal note) or the customer (a reply). */
export type WriteBackAudience = 'internal' | 'public';

/** How a vendor names its own ticket ids, for the `config` error a foreign id gets before any request. */
export interface NativeIdRule {
  pattern: RegExp;
  /** As the error says it: `an RT ticket id`, `a Jira issue key`. */
  name: string;
}

/** The numeric ticket id RT, Zendesk, Freshdesk and Zammad use. */
export function numericTicketId(name: string): NativeIdRule {
  return { pattern: /^\d+$/, name };
}

export abstract class HttpHelpdeskConnector<S extends z.ZodType<{ id: string; baseUrl: string }>> implements Connector {
  abstract readonly kind: string;
  readonly id: string;
  protected readonly config: z.output<S>;
  protected readonly http: JsonHttpClient;
  protected readonly warn: (message: string) => void;

  /**
   * Validates the settings (`service` names them in errors) and builds the JSON client with the vendor's
   * authorization header; `secrets` are the values the client removes from every message besides the header.
   */
  protected constructor(
    service: string,
    schema: S,
    raw: unknown,
    policy: EgressPolicy,
    options: HttpConnectorOptions,
    auth: (config: z.output<S>) => { authorization: string; secrets?: string[] },
    private readonly nativeId: NativeIdRule,
  ) {
    this.config = parseConfig(service, schema, raw);
    const { authorization, secrets } = auth(this.config);
    this.http = new JsonHttpClient({ service, baseUrl: this.config.baseUrl, policy, authorization, ...(secrets ? { secrets } : {}), timeoutMs: options.timeoutMs });
    this.warn = options.warn ?? defaultWarn;
    this.id = this.config.id;
  }

  abstract testConnection(signal: AbortSignal): Promise<void>;
  abstract fetchSince(cursor: string | null, signal: AbortSignal): Promise<FetchPage>;

  /** Sends one comment on the vendor's ticket `id` (already checked against the vendor's id rule). */
  protected abstract writeBack(id: string, text: string, audience: WriteBackAudience, signal: AbortSignal): Promise<void>;

  async postNote(ticketId: string, text: string, signal: AbortSignal): Promise<void> {
    await this.writeBack(this.vendorId(ticketId), text, 'internal', signal);
  }

  async postReply(ticketId: string, text: string, signal: AbortSignal): Promise<void> {
    await this.writeBack(this.vendorId(ticketId), text, 'public', signal);
  }

  /** The vendor's id of one of this connector's tickets; a `config` error for anything else. */
  private vendorId(ticketId: string): string {
    const id = nativeTicketId(this.id, ticketId);
    if (!this.nativeId.pattern.test(id)) throw new ConnectorError(`"${ticketId}" is not ${this.nativeId.name}.`, 'config');
    return id;
  }
}
