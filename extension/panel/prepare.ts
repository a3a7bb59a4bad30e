/**
 * Shapes an Exchange for the panel: bodies above the large-body threshold are cut to their first
 * `threshold` bytes (marked truncated, full size kept) so a 50 MB response never crosses
 * `postMessage` whole; every body is a compact copy, never a view on a larger buffer.
 */
import { totalTime, type Exchange, type ExchangeBody, type ExchangeHop } from '../../core/requests/exchange.ts';
import type { HistoryEntry } from '../../webview/protocol.ts';

function cut<B extends ExchangeBody>(body: B, threshold: number): B {
  const keep = Math.min(body.bytes.length, Math.max(0, threshold));
  return {
    ...body,
    bytes: new Uint8Array(body.bytes.subarray(0, keep)),
    truncated: body.truncated || keep < body.bytes.length,
    size: body.size >= 0 ? body.size : body.bytes.length,
  };
}

/** The Exchange as the panel receives it. `threshold` ≤ 0 or Infinity means "no limit". */
export function forPanel(exchange: Exchange, threshold: number): Exchange {
  const limit = threshold > 0 ? threshold : Infinity;
  const hops: ExchangeHop[] = exchange.hops.map((hop) => (hop.request.body
    ? { ...hop, request: { ...hop.request, body: cut(hop.request.body, limit) } }
    : hop));
  return { ...exchange, hops, ...(exchange.body ? { body: cut(exchange.body, limit) } : {}) };
}

/** The History tab's row for an exchange. */
export function historyEntryOf(exchange: Exchange): HistoryEntry {
  const first = exchange.hops[0]!;
  const last = exchange.hops[exchange.hops.length - 1]!;
  const entry: HistoryEntry = {
    id: exchange.id,
    method: first.request.method,
    url: first.request.url,
    startedAt: exchange.startedAt,
    totalTime: totalTime(exchange),
  };
  if (last.response) entry.status = last.response.statusCode;
  if (exchange.error) entry.error = exchange.error.name;
  return entry;
}
