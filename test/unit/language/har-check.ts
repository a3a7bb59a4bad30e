import type { Har } from '../../../core/language/har.ts';

/** Checks the fields HAR 1.2 requires on every entry; returns the problems found. */
export function harProblems(har: Har): string[] {
  const problems: string[] = [];
  const need = (obj: object, keys: string[], where: string) => {
    for (const k of keys) if (!(k in obj)) problems.push(`${where}: missing ${k}`);
  };
  need(har.log, ['version', 'creator', 'entries'], 'log');
  har.log.entries.forEach((e, i) => {
    const w = `entries[${i}]`;
    need(e, ['startedDateTime', 'time', 'request', 'response', 'cache', 'timings'], w);
    need(e.request, ['method', 'url', 'httpVersion', 'cookies', 'headers', 'queryString', 'headersSize', 'bodySize'], `${w}.request`);
    need(e.response, ['status', 'statusText', 'httpVersion', 'cookies', 'headers', 'content', 'redirectURL', 'headersSize', 'bodySize'], `${w}.response`);
    need(e.response.content, ['size', 'mimeType'], `${w}.response.content`);
    need(e.timings, ['send', 'wait', 'receive'], `${w}.timings`);
    if (Number.isNaN(Date.parse(e.startedDateTime))) problems.push(`${w}: startedDateTime not ISO`);
    for (const k of ['send', 'wait', 'receive'] as const) if (!(e.timings[k] >= 0)) problems.push(`${w}.timings.${k} < 0`);
  });
  return problems;
}

