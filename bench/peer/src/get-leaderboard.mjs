// GET /{leaderboard}?startRank&endRank: one fetch by rank, descending, 200 {leaderboard: [{rank, name, score}]}.
import { CacheSortedSetFetchResponse, SortedSetOrder } from '@gomomento/sdk'
import { initClient } from './momento.mjs'
import { withMomentoKey } from './middleware.mjs'

const { MOMENTO_CACHE_NAME } = process.env

export const handler = withMomentoKey(async (event, context) => {
  const { leaderboard } = event.pathParameters
  const startRank = Number(event.queryStringParameters?.startRank ?? 0)
  const endRank = Number(event.queryStringParameters?.endRank ?? startRank + 10)
  const client = await initClient(context.MOMENTO_API_KEY)
  const fetched = await client.sortedSetFetchByRank(MOMENTO_CACHE_NAME, leaderboard, {
    startRank,
    endRank,
    order: SortedSetOrder.Descending
  })
  const elements = fetched.type === CacheSortedSetFetchResponse.Hit ? fetched.valueArray() : []
  const entries = elements.map(({ value, score }, i) => ({ rank: startRank + i, name: value, score }))
  return { statusCode: 200, body: JSON.stringify({ leaderboard: entries }) }
})
