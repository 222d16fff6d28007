// The direction of the layers (ARCHITECTURE.md): app code → transformer → runtime → collector →
// store → analytics → dashboard, read as "who may import whom". Each rule names an import that
// points the wrong way; test/layers.test.ts runs them in npm test.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A cycle makes two files one concern: split out what both need.',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'runtime-is-dependency-free',
      comment: 'Apps import the runtime: no npm package, no transformer, no collector code in it.',
      severity: 'error',
      from: { path: '^runtime/' },
      to: { pathNot: '^runtime/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'transformer-below-server',
      comment: 'The transformer is a build-time package: it knows the runtime, never the collector.',
      severity: 'error',
      from: { path: '^transformer/' },
      to: { path: '^server/' },
    },
    {
      name: 'domain-is-a-leaf',
      comment: 'The query model, access levels and domain errors import nothing else of the server.',
      severity: 'error',
      from: { path: '^server/domain/' },
      to: { path: '^(server/(?!domain/)|runtime/|transformer/)' },
    },
    {
      name: 'store-below-analytics',
      comment: 'Stores answer the query model; they know neither the guard nor HTTP.',
      severity: 'error',
      from: { path: '^server/store/' },
      to: { path: '^server/(analytics|collector|cli|dashboard)/' },
    },
    {
      name: 'analytics-below-collector',
      comment: 'Analytics raises domain errors; the collector decides what HTTP status they become.',
      severity: 'error',
      from: { path: '^server/analytics/' },
      to: { path: '^server/(collector|cli|dashboard)/' },
    },
    {
      name: 'collector-below-cli',
      severity: 'error',
      from: { path: '^server/collector/' },
      to: { path: '^server/cli/' },
    },
    {
      name: 'dashboard-is-a-page',
      comment: 'The dashboard talks to the collector over HTTP only; of the server it knows the answers\' types (server/domain/).',
      severity: 'error',
      from: { path: '^server/dashboard/' },
      to: { path: '^(server/(?!dashboard/|domain/)|transformer/)' },
    },
    {
      name: 'dashboard-bundles-no-server-code',
      comment: 'Type-only imports of server/domain/: nothing of the server is bundled into the page.',
      severity: 'error',
      from: { path: '^server/dashboard/' },
      to: { path: '^server/domain/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|\\.ci)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'] },
  },
};
