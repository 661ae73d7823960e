// One end-to-end test per interceptor: events posted to an http source, through the
// interceptor chain, read back from the channel.
import { describe, expect, it } from 'vitest';
import { hostname } from 'node:os';
import { flowsPerTest, freePort, httpPost, takeAll } from './helpers.js';

const { run } = flowsPerTest();

type In = { headers?: Record<string, string>; body: string };

async function through(pipe: string, events: In[]): Promise<{ headers: Record<string, string>; body: string }[]> {
  const port = await freePort();
  const running = await run(`agent a {
    source s : http { bind = "127.0.0.1", port = ${port} }
    channel c : memory { capacity = 100 }
    s ${pipe} -> c
  }`);
  const res = await httpPost(port, JSON.stringify(events));
  expect(res.status).toBe(200);
  return takeAll(running, 'c').map((e) => ({ headers: e.headers, body: e.body.toString() }));
}

describe('interceptors', () => {
  it('timestamp', async () => {
    const before = Date.now();
    const out = await through('| timestamp | timestamp { headerName = "t2", preserveExisting = true }', [{ body: 'a' }, { headers: { t2: 'old' }, body: 'b' }]);
    expect(Number(out[0]!.headers.timestamp)).toBeGreaterThanOrEqual(before);
    expect(out[1]!.headers.t2).toBe('old');
  });

  it('host', async () => {
    const out = await through('| host { hostHeader = "h", useIP = false }', [{ body: 'a' }]);
    expect(out[0]!.headers.h).toBe(hostname());
  });

  it('static', async () => {
    const out = await through('| static { key = "dc", value = "eu" }', [{ body: 'a' }, { headers: { dc: 'us' }, body: 'b' }]);
    expect(out.map((e) => e.headers.dc)).toEqual(['eu', 'us']);
  });

  it('remove_header', async () => {
    const out = await through('| remove_header { withName = "a", fromList = "b, c", matching = r"x-.*" }', [
      { headers: { a: '1', b: '2', c: '3', d: '4', 'x-1': '5', 'y-x-': '6' }, body: 'a' },
    ]);
    expect(out[0]!.headers).toEqual({ d: '4', 'y-x-': '6' });
  });

  it('uuid', async () => {
    const out = await through('| uuid { headerName = "id", prefix = "web-" }', [{ body: 'a' }, { body: 'b' }]);
    expect(out[0]!.headers.id).toMatch(/^web-[0-9a-f-]{36}$/);
    expect(out[0]!.headers.id).not.toBe(out[1]!.headers.id);
  });

  it('search_replace', async () => {
    const out = await through('| search_replace { searchPattern = r"(\\d{4})-\\d{4}", replaceString = "$1-****" }', [{ body: 'card 1234-5678 and 9999-0000' }]);
    expect(out[0]!.body).toBe('card 1234-**** and 9999-****');
  });

  it('regex_filter', async () => {
    const out = await through('| regex_filter { regex = "GET /health", excludeEvents = true } | regex_filter { regex = "^GET" }', [
      { body: 'GET /health' },
      { body: 'GET /x' },
      { body: 'POST /y' },
    ]);
    expect(out.map((e) => e.body)).toEqual(['GET /x']);
  });

  it('regex_extractor', async () => {
    const out = await through(
      `| regex_extractor {
          regex = r"^(\\w+) \\[(\\w+)\\] (\\d{4}-\\d{2}-\\d{2})"
          serializers = [s1, s2, s3]
          serializers.s1.name = "service"
          serializers.s2.name = "level"
          serializers.s3.name = "day"
          serializers.s3.type = "org.apache.flume.interceptor.RegexExtractorInterceptorMillisSerializer"
          serializers.s3.pattern = "yyyy-MM-dd"
        }`,
      [{ body: 'billing [WARN] 2024-03-01 slow' }, { body: 'no match' }],
    );
    expect(out[0]!.headers).toEqual({ service: 'billing', level: 'WARN', day: String(new Date(2024, 2, 1).getTime()) });
    expect(out[1]!.headers).toEqual({});
  });
});
