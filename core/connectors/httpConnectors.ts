/**
 * The HTTP helpdesk connectors by kind, for the connector registry: each entry's `schema` validates a
 * connector's settings (and fills defaults), `create` builds the connector from validated settings and the
 * egress policy. Settings hold the token: they come from the secret store, never from a plain config file.
 */
import type { z } from 'zod';
import type { EgressPolicy } from '../net/egress';
import type { Connector } from './connector';
import { createFreshdeskConnector, FreshdeskConfigSchema } from './freshdesk';
import type { HttpConnectorOptions } from './helpdeskEvents';
import { createJsmConnector, JsmConfigSchema } from './jsm';
import { createRtConnector, RtConfigSchema } from './rt';
import { createZammadConnector, ZammadConfigSchema } from './zammad';
import { createZendeskConnector, ZendeskConfigSchema } from './zendesk';

export interface HttpConnectorKind<S extends z.ZodType> {
  /** What people call it, for settings screens and messages. */
  label: string;
  schema: S;
  create(config: z.output<S>, policy: EgressPolicy, options?: HttpConnectorOptions): Connector;
}

function kind<S extends z.ZodType>(entry: HttpConnectorKind<S>): HttpConnectorKind<S> {
  return entry;
}

export const HTTP_CONNECTORS = {
  rt: kind({ label: 'Request Tracker 5', schema: RtConfigSchema, create: createRtConnector }),
  zendesk: kind({ label: 'Zendesk', schema: ZendeskConfigSchema, create: createZendeskConnector }),
  freshdesk: kind({ label: 'Freshdesk', schema: FreshdeskConfigSchema, create: createFreshdeskConnector }),
  jsm: kind({ label: 'Jira Service Management', schema: JsmConfigSchema, create: createJsmConnector }),
  zammad: kind({ label: 'Zammad', schema: ZammadConfigSchema, create: createZammadConnector }),
} as const;

export type HttpConnectorKindName = keyof typeof HTTP_CONNECTORS;

/** The host a connector's settings point at, for `EgressPolicy.allow` (lower case, no port). */
export function connectorHost(config: { baseUrl: string }): string {
  return new URL(config.baseUrl).hostname.toLowerCase();
}
