/** Primary sources the scenarios cite, in one place so every scenario links the same page. */
export const sources = {
  owaspSession:
    'https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html',
  owaspExpiration:
    'https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#session-expiration',
  owaspIdleTimeout:
    'https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#idle-timeout',
  owaspRenewId:
    'https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#renew-the-session-id-after-any-privilege-level-change',
  owaspCookieContents:
    'https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#expire-and-max-age-attributes',
  owaspCaching:
    'https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#web-content-caching-and-clear-site-data',
  owaspDomain:
    'https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#domain-and-path-attributes',
  owaspSameSite:
    'https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#samesite-attribute',
  owaspPrefixes:
    'https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#cookie-name-prefixes',
  flaskSessions: 'https://flask.palletsprojects.com/en/stable/api/#sessions',
  flaskLifetime: 'https://flask.palletsprojects.com/en/stable/config/#PERMANENT_SESSION_LIFETIME',
  flaskSecure: 'https://flask.palletsprojects.com/en/stable/config/#SESSION_COOKIE_SECURE',
  flaskSameSite: 'https://flask.palletsprojects.com/en/stable/config/#SESSION_COOKIE_SAMESITE',
  flaskSessionDynamo:
    'https://github.com/pallets-eco/flask-session/blob/development/src/flask_session/dynamodb/dynamodb.py',
  flaskSessionBase:
    'https://github.com/pallets-eco/flask-session/blob/development/src/flask_session/base.py',
  flaskSessionConfig: 'https://flask-session.readthedocs.io/en/latest/config_reference.html',
  fernet: 'https://cryptography.io/en/latest/fernet/',
  lambdaEnvironment: 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html',
  lambdaVpc: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html',
  lambdaVpcInternet: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html',
  vpcPricing: 'https://aws.amazon.com/vpc/pricing/',
  elastiCachePricing: 'https://aws.amazon.com/elasticache/pricing/',
  dynamoPricing: 'https://aws.amazon.com/dynamodb/pricing/',
  dynamoTtl:
    'https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html',
  dynamoGlobalTables:
    'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html',
  gatewayEndpoints: 'https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html',
  spotifyCodeFlow: 'https://developer.spotify.com/documentation/web-api/tutorials/code-flow',
  spotifyRefresh: 'https://developer.spotify.com/documentation/web-api/tutorials/refreshing-tokens',
  oauthState: 'https://www.rfc-editor.org/rfc/rfc6749#section-10.12',
  sameSite:
    'https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Set-Cookie#samesitesamesite-value',
  cookiePrefixes:
    'https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Set-Cookie#cookie_prefixes',
  rfc6265bis: 'https://datatracker.ietf.org/doc/draft-ietf-httpbis-rfc6265bis/',
  cachePrivate: 'https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.7',
  cacheNoStore: 'https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2.5',
  jwtBcp: 'https://datatracker.ietf.org/doc/html/rfc8725',
} as const;
