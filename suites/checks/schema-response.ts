import type { ConformanceCheck } from '../check.js';
import { describeSchemaErrors, ResponseSchemas } from '../response-schemas.js';

/** SCHEMA-RESPONSE: every 200 body read during discovery matches the contract's schema for its path. */
export const schemaResponseCheck: ConformanceCheck = {
  ruleId: 'SCHEMA-RESPONSE',
  async run(context) {
    const { reads } = await context.discovery();
    const schemas = new ResponseSchemas();
    const reported = new Set<string>();
    let checked = 0;
    for (const { node, exchange } of reads) {
      if (exchange.status !== 200 || node.kind === 'action') continue;
      checked += 1;
      if (exchange.json === undefined) {
        if (reported.has(node.template)) continue;
        reported.add(node.template);
        context.report({
          message: `The 200 body of GET ${exchange.path} is not JSON.`,
          expected: `JSON matching the schema of ${node.template}`,
          actual: JSON.stringify(exchange.bodyText.slice(0, 200)),
          exchanges: [exchange],
          provenance: node.provenance,
        });
        continue;
      }
      const errors = schemas.errors(node, exchange.json);
      // One finding per path template: the same fault on every instance would only repeat itself.
      if (errors.length === 0 || reported.has(node.template)) continue;
      reported.add(node.template);
      context.report({
        message: `The 200 body of GET ${exchange.path} does not match the contract's schema for ${node.template}.`,
        expected: 'a body that matches the schema',
        actual: describeSchemaErrors(errors),
        exchanges: [exchange],
        provenance: node.provenance,
      });
    }
    if (checked === 0) context.notApplicable('no path answered 200 during discovery');
    context.note(`${checked} bodies of ${new Set(reads.map((r) => r.node.template)).size} paths validated`);
  },
};
