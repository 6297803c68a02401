// GET /{leaderboard}/{name}: the score and the rank (descending) at once, 200 {score, rank} or 404.
import { CacheSortedSetGetScoreResponse, CacheSortedSetGetRankResponse, SortedSetOrder } from '@gomomento/sdk'
import { initClient } from './momento.mjs'
import { withMomentoKey } from './middleware.mjs'

const { MOMENTO_CACHE_NAME } = process.env

export const handler = withMomentoKey(async (event, context) => {
  const { leaderboard, name } = event.pathParameters
  const client = await initClient(context.MOMENTO_API_KEY)
  const [score, rank] = await Promise.all([
    client.sortedSetGetScore(MOMENTO_CACHE_NAME, leaderboard, name),
    client.sortedSetGetRank(MOMENTO_CACHE_NAME, leaderboard, name, { order: SortedSetOrder.Descending })
  ])
  if (score.type !== CacheSortedSetGetScoreResponse.Hit || rank.type !== CacheSortedSetGetRankResponse.Hit) {
    return { statusCode: 404, body: JSON.stringify({ message: 'not found' }) }
  }
  return { statusCode: 200, body: JSON.stringify({ score: score.score(), rank: rank.rank() }) }
})
