// The layer order of DESIGN.md (README "How it works"): a folder under src/ imports only the folders listed before it
// (and core). `npx depcruise src` fails on any import that runs against it.
const LAYERS = ['core', 'hosts', 'remote', 'providers', 'workloads', 'suite', 'results', 'runner', 'analysis', 'report', 'cli'];

const later = (layer) => LAYERS.slice(LAYERS.indexOf(layer) + 1);

module.exports = {
  forbidden: [
    ...LAYERS.slice(0, -1).map((layer) => ({
      name: `layer-order-${layer}`,
      comment: `src/${layer}/ may import only the layers before it: ${LAYERS.slice(0, LAYERS.indexOf(layer)).join(', ') || 'none'}`,
      severity: 'error',
      from: { path: `(^|/)src/${layer}/` },
      to: { path: `(^|/)src/(${later(layer).join('|')})/` },
    })),
    {
      name: 'layer-order-entry',
      comment: 'src/cli.ts is the entry point; no layer imports it',
      severity: 'error',
      from: { path: '(^|/)src/' },
      to: { path: '(^|/)src/cli\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '(^|/)src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
