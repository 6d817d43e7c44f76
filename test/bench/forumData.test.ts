import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeEntities, ForumDataMissing, forumPath, htmlToText, licenceOf, loadForum, pairPosts, parsePostsXml } from './forumData';

/** A few made-up rows in the dumps' format: bodies are HTML escaped once more as XML attribute values. */
const POSTS = `<?xml version="1.0" encoding="utf-8"?>
<posts>
  <row Id="1" PostTypeId="1" AcceptedAnswerId="2" CreationDate="2017-01-02T10:00:00.000" Score="3" Title="Printer &amp;quot;offline&amp;quot; after update" Body="&lt;p&gt;Since the update my printer shows &lt;code&gt;offline&lt;/code&gt;.&lt;/p&gt;&#xA;&lt;p&gt;&lt;img src=&quot;x.png&quot; alt=&quot;enter image description here&quot;&gt;&lt;/p&gt;" />
  <row Id="2" PostTypeId="2" ParentId="1" CreationDate="2017-01-02T11:00:00.000" Score="1" Body="&lt;p&gt;Re-add it:&lt;/p&gt;&lt;ol&gt;&lt;li&gt;Open &lt;a href=&quot;http://x&quot;&gt;Settings&lt;/a&gt;&lt;/li&gt;&lt;li&gt;Remove the printer&lt;/li&gt;&lt;/ol&gt;&lt;pre&gt;&lt;code&gt;lpadmin -x &amp;lt;name&amp;gt;&#xA;lpstat -p&#xA;&lt;/code&gt;&lt;/pre&gt;" />
  <row Id="3" PostTypeId="2" ParentId="1" CreationDate="2017-01-03T11:00:00.000" Score="9" Body="&lt;p&gt;A higher-voted answer that was not accepted.&lt;/p&gt;" />
  <row Id="4" PostTypeId="1" CreationDate="2018-06-01T10:00:00.000" Score="1" Title="VPN drops every hour" Body="&lt;p&gt;It reconnects by itself.&lt;/p&gt;" />
  <row Id="5" PostTypeId="2" ParentId="4" CreationDate="2018-06-01T12:00:00.000" Score="1" Body="&lt;p&gt;Check the lease time.&lt;/p&gt;" />
  <row Id="6" PostTypeId="2" ParentId="4" CreationDate="2018-06-02T12:00:00.000" Score="4" Body="&lt;p&gt;Turn off the rekey timer.&lt;/p&gt;" />
  <row Id="7" PostTypeId="1" CreationDate="2018-06-03T10:00:00.000" Score="0" Title="Unanswered" Body="&lt;p&gt;Nobody knows.&lt;/p&gt;" />
  <row Id="8" PostTypeId="1" AcceptedAnswerId="99" CreationDate="2010-01-01T10:00:00.000" Score="0" Title="Accepted answer not in the dump" Body="&lt;p&gt;Lost.&lt;/p&gt;" />
  <row Id="9" PostTypeId="2" ParentId="8" CreationDate="2010-01-01T11:00:00.000" Score="0" Body="&lt;p&gt;Unvoted guess.&lt;/p&gt;" />
  <row Id="10" PostTypeId="1" AcceptedAnswerId="11" CreationDate="2017-02-01T10:00:00.000" Score="0" Title="Only a picture" Body="&lt;p&gt;See.&lt;/p&gt;" />
  <row Id="11" PostTypeId="2" ParentId="10" CreationDate="2017-02-01T11:00:00.000" Score="2" Body="&lt;p&gt;&lt;img src=&quot;y.png&quot;&gt;&lt;/p&gt;" />
</posts>`;

describe('forum data: cleaning', () => {
  it('turns a post into plain text: paragraphs and list items on lines, links by their text, code kept, images dropped', () => {
    const [, answer] = parsePostsXml(POSTS, 'Posts.xml');
    expect(htmlToText(answer!['Body']!)).toBe('Re-add it:\n\n- Open Settings\n- Remove the printer\n\nlpadmin -x <name>\nlpstat -p');
  });

  it('decodes each level of escaping once, so that code showing "&lt;" keeps it', () => {
    expect(decodeEntities('&amp;lt;b&amp;gt; &#x41;&#66; &hellip; &unknown;')).toBe('&lt;b&gt; AB … &unknown;');
    expect(htmlToText('<p>use <code>&amp;lt;br&amp;gt;</code> &amp;nbsp;</p>')).toBe('use &lt;br&gt; &nbsp;');
  });

  it('refuses a file that is not a Posts.xml, naming it', () => {
    expect(() => parsePostsXml('<users><row Id="1" /></users>', 'dump/Users.xml')).toThrow(/dump\/Users\.xml: not a Stack Exchange Posts\.xml/);
  });

  it('gives each post the CC BY-SA version of its date', () => {
    expect([licenceOf('2010-07-14T19:22:05'), licenceOf('2017-01-02T10:00:00'), licenceOf('2018-06-01T10:00:00')]).toEqual(['CC BY-SA 2.5', 'CC BY-SA 3.0', 'CC BY-SA 4.0']);
  });
});

describe('forum data: pairing questions with their solution', () => {
  const { questions, answers } = pairPosts(parsePostsXml(POSTS, 'Posts.xml'), 'iot.stackexchange.com');

  it('pairs a question with its accepted answer, not with a higher-voted one', () => {
    const q = questions.find((x) => x.id === '1')!;
    expect(q.title).toBe('Printer "offline" after update');
    expect(q.body).toBe('Since the update my printer shows offline.');
    expect(q.acceptedAnswerId).toBe('2');
    expect(q.url).toBe('https://iot.stackexchange.com/questions/1');
    expect(answers.filter((a) => a.questionId === '1').map((a) => [a.id, a.accepted])).toEqual([['2', true]]);
  });

  it('keeps the best-voted answer of a question without an accepted one, as not accepted', () => {
    expect(questions.find((x) => x.id === '4')?.acceptedAnswerId).toBeNull();
    expect(answers.filter((a) => a.questionId === '4').map((a) => [a.id, a.accepted, a.score, a.licence])).toEqual([['6', false, 4, 'CC BY-SA 4.0']]);
  });

  it('leaves out questions without a solution: unanswered, an unvoted guess, an accepted answer that cleans to nothing', () => {
    expect(questions.map((q) => q.id)).toEqual(['1', '4']);
    expect(answers.map((a) => a.id)).toEqual(['2', '6']);
  });
});

describe('forum data: the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-forum-test-'));

  it('says how to make the set when its file is absent', () => {
    expect(() => loadForum(join(dir, 'none.json'))).toThrow(ForumDataMissing);
    expect(() => loadForum(join(dir, 'none.json'))).toThrow(/npm run data:forum -- --out <file> --from/);
  });

  it('names the file and the field of a malformed one', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ format: 'vigil-forum/1', sources: [], questions: [{ site: 'a.com', id: '1', title: '', body: 'b' }], answers: [] }));
    expect(() => loadForum(file)).toThrow(`${file}: questions[0].title is missing or not text.`);
    writeFileSync(file, '{');
    expect(() => loadForum(file)).toThrow(`${file}: not JSON`);
  });

  it('is looked for at --forum, else VIGIL_FORUM_DATA, else beside the shared data', () => {
    expect(forumPath('/x/flag.json', { VIGIL_FORUM_DATA: '/x/env.json' })).toBe('/x/flag.json');
    expect(forumPath(undefined, { VIGIL_FORUM_DATA: '/x/env.json' })).toBe('/x/env.json');
    expect(forumPath(undefined, {})).toMatch(/shared\/data\/forum\/forum\.json$/);
  });
});
