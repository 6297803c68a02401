// One cold start of `make bench`: node cold.cjs MODULE EVENT_JSON loads the handler module (a CommonJS bundle with
// require, an ES module with import) in this fresh process and invokes it once; it exits 0 on a 200, 1 otherwise.
const [modulePath, eventJson] = process.argv.slice(2)
const event = JSON.parse(eventJson)
const context = {
  functionName: 'leaderboard-peer-page',
  awsRequestId: 'cold',
  getRemainingTimeInMillis: () => 10000
}

const load = modulePath.endsWith('.cjs')
  ? async () => require(modulePath)
  : () => import(require('node:url').pathToFileURL(modulePath).href)

load()
  .then(({ handler }) => handler(event, context))
  .then((response) => {
    if (response.statusCode !== 200) {
      console.error(JSON.stringify(response))
      process.exit(1)
    }
    process.exit(0)
  }, (error) => {
    console.error(error)
    process.exit(1)
  })
