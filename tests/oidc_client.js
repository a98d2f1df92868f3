// SPDX-License-Identifier: MIT
//
// tests/oidc_client.sh's relying party: the openid-client package (a
// certified OpenID Connect client) walks the whole login against a
// running `saml2oidc serve` and prints one line per check. Usage:
//   node oidc_client.js BASE_URL FIXTURES TMPDIR PYTHON SIGNER
// The IdP is tests/sign_response.py (a Response signed at run time).
'use strict';

const { Issuer, generators } = require('openid-client');
const { execFileSync } = require('child_process');
const zlib = require('zlib');

const [base, fixtures, tmp, py, signer] = process.argv.slice(2);
const CB = 'http://127.0.0.1:3000/cb';

async function login(client, verifier, state, nonce) {
  const url = client.authorizationUrl({
    scope: 'openid email', state, nonce, connection: 'corp',
    code_challenge: generators.codeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  let r = await fetch(url, { redirect: 'manual' });
  if (r.status !== 302) throw new Error(`/authorize: ${r.status}`);
  const idp = new URL(r.headers.get('location'));
  const xml = zlib.inflateRawSync(
    Buffer.from(idp.searchParams.get('SAMLRequest'), 'base64')).toString();
  const id = / ID="([^"]+)"/.exec(xml)[1];
  const saml = execFileSync(py, [signer, fixtures, tmp, id]).toString().trim();
  r = await fetch(base + '/saml/acs', {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      SAMLResponse: saml, RelayState: idp.searchParams.get('RelayState'),
    }).toString(),
  });
  if (r.status !== 302) throw new Error(`/saml/acs: ${r.status}`);
  return client.callbackParams(r.headers.get('location'));
}

(async () => {
  const issuer = await Issuer.discover(base);
  console.log(`discovery: issuer=${issuer.issuer} ` +
    `pkce=${issuer.code_challenge_methods_supported.join(',')}`);
  const client = new issuer.Client({
    client_id: 'demo-app', client_secret: 'fixture-client-secret',
    redirect_uris: [CB], response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  const verifier = generators.codeVerifier();
  const state = generators.state();
  const nonce = generators.nonce();
  const params = await login(client, verifier, state, nonce);
  // the code at /token, the ID token checked against the JWKS (signature,
  // iss, aud, exp, iat, nonce, at_hash) by the library
  const tokens = await client.callback(CB, params,
    { code_verifier: verifier, state, nonce });
  const c = tokens.claims();
  console.log(`id_token: sub=${c.sub} aud=${c.aud} email=${c.email} ` +
    `nonce=${c.nonce === nonce ? 'ok' : 'WRONG'}`);
  const info = await client.userinfo(tokens);
  console.log(`userinfo: sub=${info.sub}`);
  // the same code again: refused
  try {
    await client.callback(CB, params,
      { code_verifier: verifier, state, nonce });
    console.log('code reuse: accepted');
  } catch (e) {
    console.log(`code reuse: ${e.error || e.message}`);
  }
  // and the access token it bought is revoked
  try {
    await client.userinfo(tokens);
    console.log('userinfo after reuse: accepted');
  } catch (e) {
    console.log(`userinfo after reuse: ${e.error || e.message}`);
  }
  // a wrong PKCE verifier
  const v2 = generators.codeVerifier();
  const s2 = generators.state();
  const n2 = generators.nonce();
  const p2 = await login(client, v2, s2, n2);
  try {
    await client.callback(CB, p2,
      { code_verifier: generators.codeVerifier(), state: s2, nonce: n2 });
    console.log('bad verifier: accepted');
  } catch (e) {
    console.log(`bad verifier: ${e.error || e.message}`);
  }
})().catch((e) => {
  console.error(`error: ${e.stack || e}`);
  process.exit(1);
});
