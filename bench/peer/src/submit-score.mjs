// POST /{leaderboard}/{name} with {"score": n}: one put, 202.
import { initClient } from './momento.mjs'
import { withMomentoKey } from './middleware.mjs'

const { MOMENTO_CACHE_NAME } = process.env

export const handler = withMomentoKey(async (event, context) => {
  const { leaderboard, name } = event.pathParameters
  const { score } = JSON.parse(event.body)
  const client = await initClient(context.MOMENTO_API_KEY)
  await client.sortedSetPutElement(MOMENTO_CACHE_NAME, leaderboard, name, score)
  return { statusCode: 202 }
})
