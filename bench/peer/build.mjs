// The page handler bundled as CDK's NodejsFunction bundles it by default for a Node.js 20 runtime: esbuild, CommonJS,
// not minified, no source map, @aws-sdk/* left out (Lambda's runtime has its own copy; here it loads from
// node_modules, as it would from the runtime's).
import { build } from 'esbuild'

await build({
  entryPoints: ['src/get-leaderboard.mjs'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['@aws-sdk/*'],
  outfile: 'dist/get-leaderboard.cjs',
  logLevel: 'warning'
})
