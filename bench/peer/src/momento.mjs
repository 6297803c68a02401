// One Momento client per execution environment, created on the first request with the key Middy's SSM middleware
// put on the context (the seed's lib/momento).
import { CacheClient, Configurations, CredentialProvider, MomentoLocalProvider } from '@gomomento/sdk'

const { MOMENTO_LOCAL_ADDRESS } = process.env

// The bench's momento-local: both planes on one insecure port, and it checks the key as Momento does. The SDK's own
// momento-local provider sends an empty key; this one sends the key read from SSM.
class MomentoLocalKeyProvider extends MomentoLocalProvider {
  constructor (apiKey, address) {
    const at = address.lastIndexOf(':')
    super({ hostname: address.slice(0, at), port: Number(address.slice(at + 1)) })
    this.apiKey = apiKey
  }

  getAuthToken () {
    return this.apiKey
  }
}

const credentials = (apiKey) =>
  MOMENTO_LOCAL_ADDRESS
    ? new MomentoLocalKeyProvider(apiKey, MOMENTO_LOCAL_ADDRESS)
    : CredentialProvider.fromString({ apiKey })

let client

export const initClient = (apiKey) => {
  client ??= CacheClient.create({
    configuration: Configurations.Lambda.latest(),
    credentialProvider: credentials(apiKey),
    defaultTtlSeconds: 7 * 24 * 60 * 60
  })
  return client
}
