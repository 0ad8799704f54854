// The layers of ARCHITECTURE.md, checked on every import (`npm run depcheck`).
// bin → runner (suites/runner/) → suites and renderers (reporters/) → results vocabulary (reporters/vocabulary/)
// → contract (contracts/). Type-only imports count as much as the others.

/** Everything the product ships, as opposed to `test/`. */
const PRODUCT = '^(bin|contracts|suites|reporters)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Imports read one way: no file reaches itself again through its imports.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'contracts-read-nothing-above',
      severity: 'error',
      comment: 'The contract layer is the bottom: it imports nothing of the suites, reporters, bin or tests.',
      from: { path: '^contracts/' },
      to: { path: '^(suites|reporters|bin|test)/' },
    },
    {
      name: 'vocabulary-reads-only-contracts',
      severity: 'error',
      comment: 'The results vocabulary is read by suites and renderers alike, so it imports neither.',
      from: { path: '^reporters/vocabulary/' },
      to: { path: '^(suites|bin|test)/|^reporters/(?!vocabulary/)' },
    },
    {
      name: 'reporters-read-no-suites',
      severity: 'error',
      comment: 'Renderers read the report model and the results vocabulary, never the checks, actions, client or discovery.',
      from: { path: '^reporters/' },
      to: { path: '^(suites|bin|test)/' },
    },
    {
      name: 'suites-read-only-the-vocabulary-of-reporters',
      severity: 'error',
      comment: 'Only the runner writes files: other suite modules take the results vocabulary, not the renderers.',
      from: { path: '^suites/(?!runner/)' },
      to: { path: '^reporters/(?!vocabulary/)' },
    },
    {
      name: 'only-bin-starts-the-runner',
      severity: 'error',
      comment: 'The runner sits above the suites and the renderers: they never import it back.',
      from: { path: '^(contracts|reporters)/|^suites/(?!runner/)' },
      to: { path: '^suites/runner/' },
    },
    {
      name: 'nothing-imports-bin',
      severity: 'error',
      comment: 'bin is the top: it wires the layers and nothing imports it.',
      from: { path: '^(contracts|suites|reporters|test)/' },
      to: { path: '^bin/' },
    },
    {
      name: 'product-reads-no-tests',
      severity: 'error',
      comment: 'Product code imports nothing from test/, but the embedded reference server.',
      from: { path: PRODUCT },
      to: { path: '^test/(?!reference-server/)' },
    },
    {
      name: 'only-runner-and-bin-embed-the-reference-server',
      severity: 'error',
      comment: 'The embedded reference server (--embedded) is started by bin or the runner, by nothing else of the product.',
      from: { path: PRODUCT, pathNot: '^(bin|suites/runner)/' },
      to: { path: '^test/reference-server/' },
    },
    {
      name: 'reference-server-reads-only-contracts',
      severity: 'error',
      comment: 'The reference server stands for a target: it may read the contract, never the checker.',
      from: { path: '^test/reference-server/' },
      to: { path: '^(suites|reporters|bin)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
