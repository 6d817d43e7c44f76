/**
 * Reads a connected helpdesk's help-center articles, read-only, as knowledge entries: Zendesk Guide, Freshdesk
 * Solutions, the Zammad knowledge base. Each reader follows the vendor's documented requests and pagination:
 *
 * - Zendesk: `GET /api/v2/help_center/articles.json?page[size]=100`, cursor pages (`meta.has_more`,
 *   `links.next`); drafts are skipped.
 * - Freshdesk: `GET /api/v2/solutions/categories`, then each category's `/folders`, then each folder's
 *   `/articles?per_page=100`, pages followed by the `Link: <…>; rel="next"` header; drafts (status 1) skipped.
 * - Zammad: `POST /api/v1/knowledge_bases/init` lists every knowledge base's `answer_ids`; each answer is read with
 *   `GET /api/v1/knowledge_bases/{kb}/answers/{id}?full=1&include_contents=1`; archived answers and drafts (neither
 *   published nor internal) are skipped.
 *
 * Every skipped article is reported with its place and reason, like a skipped line of a file. Nothing is ever
 * written to the helpdesk.
 */
import { z } from 'zod';
import { htmlToText } from '../formats/knowledgeImport';
import type { LineIssue } from '../formats/lineIssue';
import type { Entry } from '../formats/schemas';
import { nextLink } from './freshdesk';
import { basicAuth, JsonHttpClient } from './http';
import type { EgressPolicy } from '../net/egress';

/** The helpdesks with a help center Vigil can read. */
export const HELP_CENTER_KINDS = ['zendesk', 'freshdesk', 'zammad'] as const;
export type HelpCenterKind = (typeof HELP_CENTER_KINDS)[number];

/** Articles per page: the largest each vendor allows (Zendesk and Freshdesk: 100). */
const PAGE_SIZE = 100;

/** What a help-center reader needs of a configured connector. */
export interface HelpCenterSettings {
  /** The connector's id, for entry ids (`<id>-article-<n>`) and messages. */
  id: string;
  kind: HelpCenterKind;
  baseUrl: string;
  /** The API token (Zendesk: with `email`). */
  token: string;
  email?: string;
}

/** Each help center's product name, as the analyst knows it. */
export const HELP_CENTER_VENDORS: Record<HelpCenterKind, string> = { zendesk: 'Zendesk Guide', freshdesk: 'Freshdesk Solutions', zammad: 'Zammad knowledge base' };

/** The JSON client for a help center, signed in as the connector is. */
export function helpCenterClient(settings: HelpCenterSettings, policy: EgressPolicy): JsonHttpClient {
  const authorization =
    settings.kind === 'zendesk'
      ? basicAuth(`${settings.email ?? ''}/token`, settings.token)
      : settings.kind === 'freshdesk'
        ? basicAuth(settings.token, 'X')
        : `Token token=${settings.token}`;
  return new JsonHttpClient({ service: HELP_CENTER_VENDORS[settings.kind], baseUrl: settings.baseUrl, policy, authorization, secrets: [settings.token] });
}

const ZendeskArticlesPage = z.looseObject({
  articles: z.array(
    z.looseObject({
      id: z.number(),
      title: z.string().nullish(),
      body: z.string().nullish(),
      draft: z.boolean().nullish(),
      label_names: z.array(z.string()).nullish(),
      html_url: z.string().nullish(),
      updated_at: z.string().nullish(),
    }),
  ),
  meta: z.looseObject({ has_more: z.boolean().nullish(), after_cursor: z.string().nullish() }).nullish(),
  links: z.looseObject({ next: z.string().nullish() }).nullish(),
});

const FreshdeskList = z.array(z.looseObject({ id: z.number(), name: z.string().nullish() }));
const FreshdeskArticles = z.array(
  z.looseObject({
    id: z.number(),
    title: z.string().nullish(),
    description: z.string().nullish(),
    description_text: z.string().nullish(),
    status: z.number().nullish(),
    tags: z.array(z.string()).nullish(),
    updated_at: z.string().nullish(),
  }),
);

const ZammadInit = z.looseObject({
  KnowledgeBase: z.record(z.string(), z.looseObject({ id: z.number(), answer_ids: z.array(z.number()).nullish() })).nullish(),
});
const ZammadAnswer = z.looseObject({
  assets: z.looseObject({
    KnowledgeBaseAnswer: z.record(
      z.string(),
      z.looseObject({
        id: z.number(),
        archived_at: z.string().nullish(),
        published_at: z.string().nullish(),
        internal_at: z.string().nullish(),
        updated_at: z.string().nullish(),
        translation_ids: z.array(z.number()).nullish(),
        tags: z.array(z.string()).nullish(),
      }),
    ),
    KnowledgeBaseAnswerTranslation: z.record(z.string(), z.looseObject({ id: z.number(), title: z.string().nullish(), answer_id: z.number(), content_id: z.number().nullish() })).nullish(),
    KnowledgeBaseAnswerTranslationContent: z.record(z.string(), z.looseObject({ id: z.number(), body: z.string().nullish() })).nullish(),
  }),
});

type Emit = { entry: Entry } | { issue: LineIssue };

function article(settings: HelpCenterSettings, id: number | string, fields: { title: string | null | undefined; html: string | null | undefined; tags?: readonly string[] | null; url: string; updatedAt?: string | null }): Emit {
  const body = htmlToText(fields.html ?? '');
  if (!body) return { issue: { file: fields.url, line: 1, field: 'body', message: 'the article is empty' } };
  const updated = fields.updatedAt && !Number.isNaN(Date.parse(fields.updatedAt)) ? new Date(fields.updatedAt).toISOString() : undefined;
  return {
    entry: {
      id: `${settings.id}-article-${id}`,
      kind: 'article',
      ...(fields.title?.trim() ? { title: fields.title.trim() } : {}),
      body,
      ...(fields.tags?.length ? { tags: [...fields.tags] } : {}),
      source: { type: 'import', ref: fields.url },
      ...(updated ? { updatedAt: updated } : {}),
    },
  };
}

async function* zendesk(http: JsonHttpClient, settings: HelpCenterSettings, signal: AbortSignal): AsyncGenerator<Emit> {
  let next: string | undefined = '/api/v2/help_center/articles.json';
  let query: Record<string, string | number> | undefined = { 'page[size]': PAGE_SIZE };
  while (next) {
    const { data }: { data: z.infer<typeof ZendeskArticlesPage> } = await http.request(next, { ...(query ? { query } : {}), schema: ZendeskArticlesPage, signal });
    for (const a of data.articles) {
      const url = a.html_url ?? http.url(`/api/v2/help_center/articles/${a.id}`).toString();
      if (a.draft) yield { issue: { file: url, line: 1, field: 'draft', message: 'a draft, not published' } };
      else yield article(settings, a.id, { title: a.title, html: a.body, tags: a.label_names, url, updatedAt: a.updated_at });
    }
    next = data.meta?.has_more ? (data.links?.next ?? undefined) : undefined;
    query = undefined;
  }
}

async function* freshdesk(http: JsonHttpClient, settings: HelpCenterSettings, signal: AbortSignal): AsyncGenerator<Emit> {
  const { data: categories } = await http.request('/api/v2/solutions/categories', { schema: FreshdeskList, signal });
  for (const category of categories) {
    const { data: folders } = await http.request(`/api/v2/solutions/categories/${category.id}/folders`, { schema: FreshdeskList, signal });
    for (const folder of folders) {
      let next: string | undefined = `/api/v2/solutions/folders/${folder.id}/articles`;
      let query: Record<string, number> | undefined = { per_page: PAGE_SIZE };
      while (next) {
        const response: { data: z.infer<typeof FreshdeskArticles>; headers: Headers } = await http.request(next, { ...(query ? { query } : {}), schema: FreshdeskArticles, signal });
        for (const a of response.data) {
          const url = http.url(`/support/solutions/articles/${a.id}`).toString();
          if (a.status === 1) yield { issue: { file: url, line: 1, field: 'status', message: 'a draft, not published' } };
          else yield article(settings, a.id, { title: a.title, html: a.description ?? a.description_text, tags: a.tags, url, updatedAt: a.updated_at });
        }
        next = nextLink(response.headers.get('link'));
        query = undefined;
      }
    }
  }
}

async function* zammad(http: JsonHttpClient, settings: HelpCenterSettings, signal: AbortSignal): AsyncGenerator<Emit> {
  const { data: init } = await http.request('/api/v1/knowledge_bases/init', { method: 'POST', body: {}, schema: ZammadInit, signal });
  for (const kb of Object.values(init.KnowledgeBase ?? {})) {
    for (const answerId of kb.answer_ids ?? []) {
      const path = `/api/v1/knowledge_bases/${kb.id}/answers/${answerId}`;
      const url = http.url(`/help/knowledge_base/${kb.id}/answers/${answerId}`).toString();
      const { data } = await http.request(path, { query: { full: 1, include_contents: 1 }, schema: ZammadAnswer, signal });
      const answer = data.assets.KnowledgeBaseAnswer[String(answerId)];
      if (!answer) {
        yield { issue: { file: url, line: 1, field: '(answer)', message: 'Zammad did not return this answer' } };
        continue;
      }
      if (answer.archived_at) {
        yield { issue: { file: url, line: 1, field: 'archived_at', message: 'archived' } };
        continue;
      }
      if (!answer.published_at && !answer.internal_at) {
        yield { issue: { file: url, line: 1, field: 'published_at', message: 'a draft, neither published nor internal' } };
        continue;
      }
      // One entry per answer, in its first translation (the knowledge base's primary locale comes first).
      const translations = Object.values(data.assets.KnowledgeBaseAnswerTranslation ?? {}).filter((t) => t.answer_id === answerId);
      const translation = translations.find((t) => answer.translation_ids?.[0] === t.id) ?? translations[0];
      const content = translation?.content_id != null ? data.assets.KnowledgeBaseAnswerTranslationContent?.[String(translation.content_id)] : undefined;
      yield article(settings, answerId, { title: translation?.title, html: content?.body, tags: answer.tags, url, updatedAt: answer.updated_at });
    }
  }
}

/**
 * The help center's articles as entries (yielded in the vendor's order); skipped articles go to `onIssue`.
 * Throws a `ConnectorError` when the helpdesk cannot be read at all (address, credentials, permissions).
 */
export async function* readHelpCenter(settings: HelpCenterSettings, policy: EgressPolicy, signal: AbortSignal, onIssue: (issue: LineIssue) => void): AsyncGenerator<Entry> {
  const http = helpCenterClient(settings, policy);
  const reader = settings.kind === 'zendesk' ? zendesk : settings.kind === 'freshdesk' ? freshdesk : zammad;
  for await (const item of reader(http, settings, signal)) {
    if ('issue' in item) onIssue(item.issue);
    else yield item.entry;
  }
}
