// What every handler of the seed wraps itself in: Middy, and the Momento API key from SSM, cached for 5 minutes and
// set on the context.
import middy from '@middy/core'
import ssm from '@middy/ssm'

const { MOMENTO_API_KEY_PARAM_NAME } = process.env

export const withMomentoKey = (handler) =>
  middy(handler).use(
    ssm({
      fetchData: { MOMENTO_API_KEY: MOMENTO_API_KEY_PARAM_NAME },
      setToContext: true,
      cacheExpiry: 5 * 60 * 1000
    })
  )
