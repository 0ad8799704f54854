import type { ConformanceCheck } from '../check.js';

const jsonMediaType = /^application\/json\s*(;|$)/i;

/** HTTP-CONTENT-TYPE: every 200 body read during discovery is sent as application/json. */
export const httpContentTypeCheck: ConformanceCheck = {
  ruleId: 'HTTP-CONTENT-TYPE',
  async run(context) {
    const { reads } = await context.discovery();
    const answered = reads.filter((read) => read.exchange.status === 200);
    if (answered.length === 0) context.notApplicable('no path answered 200 during discovery');
    const reported = new Set<string>();
    for (const { node, exchange } of answered) {
      if (jsonMediaType.test(exchange.contentType ?? '') || reported.has(node.template)) continue;
      reported.add(node.template);
      context.report({
        message: `GET ${exchange.path} answers 200 with a body that is not sent as application/json.`,
        expected: 'Content-Type: application/json',
        actual: exchange.contentType ? `Content-Type: ${exchange.contentType}` : 'no Content-Type',
        exchanges: [exchange],
        provenance: node.provenance,
      });
    }
    context.note(`${answered.length} responses of ${new Set(answered.map((r) => r.node.template)).size} paths checked`);
  },
};
