// The warm driver of `make bench`: loads the three handlers once (one warm execution environment each), then, for each
// line {"route", "events"} on stdin, invokes that route's handler with each event in turn, timing each invocation
// alone, and answers one line {"times_us", "statuses", "last"} on stdout (`last`: the last response, to check).
// Prints {"ready": true} once loaded; exits when stdin closes.
import { createInterface } from 'node:readline'
import { lambdaContext } from './lambda-context.mjs'

const modules = {
  submit: './src/submit-score.mjs',
  standing: './src/get-standing.mjs',
  page: './src/get-leaderboard.mjs'
}
const handlers = {}
for (const [route, path] of Object.entries(modules)) {
  handlers[route] = (await import(path)).handler
}

const send = (message) => process.stdout.write(JSON.stringify(message) + '\n')

send({ ready: true })
for await (const line of createInterface({ input: process.stdin })) {
  const { route, events } = JSON.parse(line)
  const handler = handlers[route]
  const times = []
  const statuses = []
  let response
  for (const event of events) {
    const context = lambdaContext(`leaderboard-peer-${route}`)
    const started = process.hrtime.bigint()
    response = await handler(event, context)
    times.push(Number(process.hrtime.bigint() - started) / 1000)
    statuses.push(response.statusCode)
  }
  send({ times_us: times, statuses, last: response })
}

process.exit(0)
